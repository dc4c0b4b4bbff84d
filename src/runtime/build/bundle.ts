import path from 'node:path'
import type { BuildFailure, Message, Plugin } from 'esbuild'
import { AgentBundleError, AgentExportsError, AgentImportsError } from './errors.js'
import { sdkModule } from './paths.js'
import type { AgentProject } from './project.js'
import { explainImport } from './typecheck.js'

/** The host interfaces an agent may import: the world's three, at its version. */
export const WORLD_IMPORTS = ['mielin:agent/host@0.1.0', 'mielin:agent/kv@0.1.0', 'mielin:agent/tensor@0.1.0']

/**
 * The module componentize-js builds: the user's default export bound to the world's exports.
 * Plain functions, not re-exported bindings, so every export is a function of the module.
 */
export function entrySource (agentPath: string, worldPath: string): string {
  return [
    `import agent from ${JSON.stringify(agentPath)}`,
    `import { agentConsole, bindAgent } from ${JSON.stringify(worldPath)}`,
    `import * as host from '${WORLD_IMPORTS[0]}'`,
    `import * as kv from '${WORLD_IMPORTS[1]}'`,
    `import * as tensor from '${WORLD_IMPORTS[2]}'`,
    // from here on (every handler), console.* goes to the agent's log; the engine's console
    // writes to a stdout that agents do not have
    'globalThis.console = agentConsole(host, globalThis.console)',
    'const world = bindAgent(agent, { host, kv, tensor })',
    'export function init (state) { return world.init(state) }',
    'export function onMessage (envelope) { return world.onMessage(envelope) }',
    'export function onMigrate () { return world.onMigrate() }',
    'export function onBatch (envelopes) { return world.onBatch(envelopes) }',
    ''
  ].join('\n')
}

/**
 * Bundles the agent, the SDK and the npm packages it uses into one ES module whose only
 * imports are the world's host interfaces. Assets (`.onnx`, `.bin`) become bytes, `.txt` text.
 */
export async function bundleAgent (project: AgentProject): Promise<string> {
  const esbuild = await import('esbuild')
  try {
    const result = await esbuild.build({
      stdin: { contents: entrySource(project.entry, sdkModule('world')), resolveDir: project.dir, sourcefile: 'mielin-entry.js', loader: 'js' },
      absWorkingDir: project.dir,
      bundle: true,
      write: false,
      platform: 'neutral',
      format: 'esm',
      // Below ES2024, esbuild decodes binary assets itself instead of calling Uint8Array.fromBase64.
      target: 'es2022',
      mainFields: ['module', 'main'],
      conditions: ['import', 'default'],
      loader: { '.onnx': 'binary', '.bin': 'binary', '.txt': 'text' },
      plugins: [sandboxPlugin()],
      logLevel: 'silent',
      legalComments: 'none'
    })
    const out = result.outputFiles[0]
    if (out === undefined) throw new AgentBundleError('esbuild produced no output.')
    return out.text
  } catch (err) {
    const errors = (err as Partial<BuildFailure>).errors
    if (!Array.isArray(errors)) throw err
    throw bundleError(project, errors)
  }
}

/** Resolves `mielin/agent` to this mielin's SDK, keeps the world's imports, refuses other sandboxed-away modules. */
function sandboxPlugin (): Plugin {
  return {
    name: 'mielin-sandbox',
    setup (build) {
      build.onResolve({ filter: /^mielin\/agent$/ }, () => ({ path: sdkModule('agent') }))
      build.onResolve({ filter: /^(node|mielin|wasi):/ }, (args) => WORLD_IMPORTS.includes(args.path)
        ? { path: args.path, external: true }
        : { errors: [{ text: `forbidden import "${args.path}"` }] })
    }
  }
}

function bundleError (project: AgentProject, errors: Message[]): Error {
  const where = (m: Message): string => m.location === null ? '' : `${m.location.file.replace(/^mielin-entry\.js$/, '(generated entry)')}:${m.location.line}:${m.location.column + 1}: `
  const unresolved = errors.map((m) => /^(?:Could not resolve|forbidden import) "(.+)"/.exec(m.text)?.[1])
  const noDefault = errors.find((m) => /No matching export in .* for import "default"/.test(m.text))
  const entryName = path.relative(project.dir, project.entry)
  if (noDefault !== undefined) {
    return new AgentExportsError(`${entryName} has no default export, so the agent exports neither init, on-message nor on-migrate.`, undefined, {
      suggestions: [`End ${entryName} with: export default defineAgent({ onMessage (msg, ctx) { … } })  (import { defineAgent } from 'mielin/agent')`]
    })
  }
  if (unresolved.some((s) => s !== undefined)) {
    const lines = errors.map((m, i) => `${where(m)}${unresolved[i] === undefined ? m.text : explainImport(unresolved[i])}`)
    return new AgentImportsError(`The agent imports ${lines.length === 1 ? 'a module' : 'modules'} it cannot use:\n  ${lines.join('\n  ')}`, undefined, {
      suggestions: ['Remove imports of Node.js modules (an agent reaches the outside world only through ctx), and install the npm packages it uses in the project.']
    })
  }
  return new AgentBundleError(`esbuild could not bundle the agent:\n  ${errors.map((m) => `${where(m)}${m.text}`).join('\n  ')}`, undefined, {
    suggestions: ['Fix the errors above; `npx tsc -p .` in the project shows the same places.']
  })
}
