import type { AgentContext, AgentKv } from './agent.js'
import { callHost, type HostImports } from './host.js'
import { agentLog } from './log.js'
import { createTensors } from './tensor.js'

/** Builds the `ctx` handlers get. `state` is read and written through the holder. */
export function createContext<S> (imports: HostImports, holder: { state: S }): AgentContext<S> {
  const { host, kv } = imports
  let self: string | undefined
  const tensor = createTensors(imports.tensor)

  const store: AgentKv = {
    get<T> (key: string): T | undefined {
      const raw = callHost(() => kv.get(key))
      return raw === undefined || raw === null ? undefined : JSON.parse(raw) as T
    },
    set: (key, value) => { const text = json(value, `kv value "${key}"`); callHost(() => { kv.set(key, text) }) },
    delete: (key) => { callHost(() => { kv.delete(key) }) },
    keys: (prefix = '') => Array.from(callHost(() => kv.keys(prefix)))
  }

  return {
    get state () { return holder.state },
    set state (value: S) { holder.state = value },
    get self () {
      self ??= host.selfId()
      return self
    },
    log: agentLog(host),
    now: () => Number(host.nowMs()),
    send: (to, payload, options = {}) => {
      const text = json(payload, 'payload')
      return callHost(() => host.send(to, text, options.delegate ?? []))
    },
    request: (to, payload) => {
      const text = json(payload, 'payload')
      return callHost(() => host.request(to, text))
    },
    kv: store,
    tensor
  }
}

/** JSON text of a value that must be JSON (payloads, kv values, replies, state). */
export function json (value: unknown, what: string): string {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (err) {
    throw new TypeError(`${what} is not JSON-serialisable: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
  if (text === undefined) throw new TypeError(`${what} is not JSON-serialisable (${typeof value})`)
  return text
}
