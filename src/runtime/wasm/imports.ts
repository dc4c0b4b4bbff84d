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
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  throw { payload: `E_CAP_DENIED: agent "${agent}" holds no "${cap}" capability; add it to capabilities in mielin.json` }
}

export function buildImports (agent: string, caps: string[], bridge: HostBridge): Record<string, Record<string, unknown>> {
  const has = (cap: string): boolean => caps.includes(cap)
  const canSend = caps.some((c) => c.startsWith('send:'))
  const call = (fn: HostCallName) => (...args: unknown[]) => bridge.call(agent, fn, args)

  const host = {
    log: (level: string, message: string) => { if (has('log')) bridge.log(agent, level, message) },
    selfId: () => agent,
    nowMs: () => BigInt(Date.now()),
    send: canSend ? call('send') : denied(agent, 'send:<agent>'),
    request: canSend ? call('request') : denied(agent, 'send:<agent>')
  }
  const kvFns = ['get', 'set', 'delete', 'keys'] as const
  const kv = Object.fromEntries(kvFns.map((f) => [f, has('kv') ? call(`kv.${f}`) : denied(agent, 'kv')]))
  const tensorFns = ['create', 'read', 'binary', 'unary', 'reshape', 'loadModel', 'runModel'] as const
  const tensor: Record<string, unknown> = Object.fromEntries(tensorFns.map((f) => [f, has('tensor') ? call(`tensor.${f}`) : denied(agent, 'tensor')]))
  // dispose returns nothing, so it cannot report an error: without the capability it does nothing.
  tensor.dispose = has('tensor') ? call('tensor.dispose') : () => {}
  return { 'mielin:agent/host': host, 'mielin:agent/kv': kv, 'mielin:agent/tensor': tensor }
}
