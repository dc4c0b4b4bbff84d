/**
 * Agent manifests: checking and completing one (`mielin.json`, the `mielin:manifest` section
 * of a built component), and reading or embedding that section.
 *
 * @example
 * ```ts
 * const manifest = parseManifest(JSON.parse(text), 'mielin.json')   // defaults filled in
 * const wasm = embedManifest(component, manifest)
 * readManifest(wasm)                                                 // the same manifest
 * ```
 */
export { AGENT_NAME_RULE, DEFAULT_LIMITS, isAgentName, isCapabilityName, parseManifest } from './parse.js'
export { embedManifest, MANIFEST_SECTION, readManifest } from './section.js'
export { manifestOf, readAgentFile, type AgentFile } from './agent-file.js'
