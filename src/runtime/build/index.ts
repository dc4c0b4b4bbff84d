/**
 * Agent projects: `scaffoldAgent` creates one from a template (templates/agent/<name>), and
 * `buildAgent` turns it into a WebAssembly component of the `mielin:agent` world:
 * type-check (TypeScript API) → bundle with the SDK (esbuild) → componentize
 * (componentize-js) → validate (jco), with the manifest embedded as a `mielin:manifest`
 * custom section. Each step reports progress; an unchanged project is not rebuilt.
 *
 * @example
 * ```ts
 * const project = await scaffoldAgent({ name: 'hello', template: 'basic', cwd: '/tmp' })
 * const built = await buildAgent({ dir: project.dir, onProgress: (p) => console.error(p.step, p.phase) })
 * console.log(built.wasm, built.bytes, built.skipped)
 * ```
 */
export * from './errors.js'
export { buildAgent, BUILD_STEPS, type BuildInit, type BuildProgress, type BuildResult, type BuildStep } from './build.js'
export { scaffoldAgent, checkAgentName, checkCapabilities, checkTemplateName, type ScaffoldInit, type ScaffoldResult } from './scaffold.js'
export { TEMPLATE_NAMES, TEMPLATES, COMMON_CAPABILITIES, type TemplateName, type TemplateInfo } from './templates.js'
export { findProjectDir, loadProject, type AgentProject } from './project.js'
export { typecheckAgent } from './typecheck.js'
export { bundleAgent, entrySource, WORLD_IMPORTS } from './bundle.js'
export { componentizeAgent } from './componentize.js'
export { validateComponent, checkShape, type ComponentShape } from './validate.js'
export { buildHash, BUILD_HASH_FILE } from './hash.js'
