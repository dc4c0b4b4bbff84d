import type { HostCallName } from './protocol.js'

/**
 * Builds an agent's import object from the capabilities it was granted, deny by default
 * (as jco's WASI shim sandboxes): a function the agent holds no capability for returns an
 * `E_CAP_DENIED` error to the agent and never reaches the host. Runs inside the worker.
 */

export interface HostBridge {
  /** A synchronous call into the kernel (blocks this worker until it answers). */
  call: (agent: string, fn: HostCallName, args: unknown[]) => unknown
  /** Fire-and-forget (logging). */
  log: (agent: string, level: string, message: string) => void
}

/** jco turns a thrown `{ payload }` into the `err` case of a `result<_, string>` import. */
const denied = (agent: string, cap: string) => () => {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- see above: jco wants { payload }
  throw { payload: `E_CAP_DENIED: agent "${agent}" holds no "${cap}" capability; add it to capabilities in mielin.json` }
}

/**
 * Who the imports act for. Read at call time, so an instance can be created ahead of time
 * (a warm spare) and bound to an agent when one is deployed; until then it holds nothing.
 */
export interface ImportBinding { agent: string, caps: string[] }

export function buildImports (binding: ImportBinding, bridge: HostBridge): Record<string, Record<string, unknown>> {
  const has = (cap: string): boolean => binding.caps.includes(cap)
  /** A host call, made only if the agent holds `cap` (or any send capability for 'send:'). */
  const guarded = (fn: HostCallName, cap: string) => (...args: unknown[]) => {
    const ok = cap === 'send:' ? binding.caps.some((c) => c.startsWith('send:')) : has(cap)
    if (!ok) denied(binding.agent, cap === 'send:' ? 'send:<agent>' : cap)()
    return bridge.call(binding.agent, fn, args)
  }

  const host = {
    log: (level: string, message: string) => { if (has('log')) bridge.log(binding.agent, level, message) },
    selfId: () => binding.agent,
    nowMs: () => BigInt(Date.now()),
    send: guarded('send', 'send:'),
    request: guarded('request', 'send:')
  }
  const kvFns = ['get', 'set', 'delete', 'keys'] as const
  const kv = Object.fromEntries(kvFns.map((f) => [f, guarded(`kv.${f}`, 'kv')]))
  const tensorFns = ['create', 'read', 'binary', 'unary', 'reshape', 'loadModel', 'runModel'] as const
  const tensor: Record<string, unknown> = Object.fromEntries(tensorFns.map((f) => [f, guarded(`tensor.${f}`, 'tensor')]))
  // dispose returns nothing, so it cannot report an error: without the capability it does nothing.
  tensor.dispose = (h: number) => { if (has('tensor')) bridge.call(binding.agent, 'tensor.dispose', [h]) }
  return { 'mielin:agent/host': host, 'mielin:agent/kv': kv, 'mielin:agent/tensor': tensor }
}
