import { OPTIONAL_EXPORTS, WORLD_EXPORTS, WORLD_IMPORTS } from '../wasm/index.js'
import { AgentExportsError, AgentImportsError, ComponentizeError } from './errors.js'

const ALLOWED_EXPORTS: readonly string[] = [...WORLD_EXPORTS, ...OPTIONAL_EXPORTS]
const ALLOWED_IMPORTS: readonly string[] = WORLD_IMPORTS
const WIT_NAME: Record<string, string> = { init: 'init', onMessage: 'on-message', onMigrate: 'on-migrate', onBatch: 'on-batch' }

export interface ComponentShape {
  exports: string[]
  imports: string[]
}

/**
 * Checks a built component against the world by transpiling it with jco, as a node's
 * loader will: init / on-message / on-migrate (and optionally on-batch) exported, and only the world's host
 * interfaces imported.
 */
export async function validateComponent (component: Uint8Array): Promise<ComponentShape> {
  const { transpile } = await import('@bytecodealliance/jco')
  let shape: ComponentShape
  try {
    const out = await transpile(component, { name: 'agent', instantiation: 'sync', noTypescript: true })
    shape = { exports: out.exports.map(([name]) => name), imports: out.imports }
  } catch (err) {
    throw new ComponentizeError(`jco cannot transpile the built component: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err })
  }
  checkShape(shape)
  return shape
}

/** Throws E_AGENT_EXPORTS / E_AGENT_IMPORTS when a component does not fit the world. */
export function checkShape ({ exports, imports }: ComponentShape): void {
  const missing = WORLD_EXPORTS.filter((e) => !exports.includes(e))
  const extra = exports.filter((e) => !ALLOWED_EXPORTS.includes(e))
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      ...(missing.length > 0 ? [`it does not export ${missing.map((e) => WIT_NAME[e]).join(', ')}`] : []),
      ...(extra.length > 0 ? [`it also exports ${extra.join(', ')}, which the world does not have`] : [])
    ]
    throw new AgentExportsError(`The component does not match the mielin:agent world: ${parts.join('; ')}.`, undefined, {
      suggestions: ['Build from an agent module that ends with: export default defineAgent({ onMessage (msg, ctx) { … } })']
    })
  }
  const foreign = imports.filter((i) => !ALLOWED_IMPORTS.includes(i.replace(/@[^/]*$/, '')))
  if (foreign.length > 0) {
    throw new AgentImportsError(`The component imports ${foreign.join(', ')}, which the mielin:agent world does not provide (only ${ALLOWED_IMPORTS.join(', ')}).`, undefined, {
      suggestions: ['Remove the code that needs it: agents reach the outside world only through ctx (log, send, request, kv, tensor).']
    })
  }
}
