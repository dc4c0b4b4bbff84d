import type { AgentContext, AgentDefinition, Message, MessageKind } from './agent.js'
import { createContext, json } from './context.js'
import { errorString, utf8, type HostImports } from './host.js'

export { agentConsole } from './log.js'

/**
 * The exports of the `mielin:agent` world, made from an agent definition. The entry that
 * `mielin agent build` generates is just:
 *
 * ```js
 * import agent from './src/agent.ts'
 * import * as host from 'mielin:agent/host@0.1.0'   // and kv, tensor
 * globalThis.console = agentConsole(host, globalThis.console)   // console.* → the agent's log
 * const world = bindAgent(agent, { host, kv, tensor })
 * export function init (state) { return world.init(state) }   // and onMessage, onMigrate, onBatch
 * ```
 *
 * Every failure leaves an export as a thrown *string*: componentize-js maps a thrown string
 * to the `err` case of the result, whereas a thrown Error traps the instance.
 */
export interface WorldExports {
  init: (state?: Uint8Array) => void
  onMessage: (envelope: Envelope) => string | undefined
  onMigrate: () => Uint8Array
  /**
   * One result per envelope, in order (a failing message does not stop the others), and the
   * state if the batch changed it.
   */
  onBatch: (envelopes: Envelope[]) => BatchOutcome
}

/** `result<option<string>, string>` inside a list, as componentize-js represents it. */
export type BatchResult = { tag: 'ok', val: string | undefined } | { tag: 'err', val: string }
/** `mielin:agent/types.batch-outcome`: `state` is left out when the node already has it. */
export interface BatchOutcome { results: BatchResult[], state?: Uint8Array }

/** `mielin:agent/types.envelope` in JavaScript. */
export interface Envelope {
  id: string
  from: string
  to: string
  seq: bigint | number
  kind: string
  payload: string
  replyTo?: string
  trace?: string
}

/** Format of the saved state: versioned, so that later SDKs can read older snapshots. */
interface Snapshot { v: 1, state: unknown }

export function bindAgent (agent: unknown, imports: HostImports): WorldExports {
  const definition = agent as AgentDefinition<unknown>
  const holder: { state: unknown } = { state: undefined }
  // The snapshot the node holds (from init, on-migrate or on-batch): on-batch returns the
  // state only when it differs, which spares the node a checkpoint write per message.
  let handedOver: string | undefined
  let ctx: AgentContext<unknown> | undefined
  const context = (): AgentContext<unknown> => {
    ctx ??= createContext(imports, holder)
    return ctx
  }

  const handle = (envelope: Envelope): string | undefined => {
    try {
      checkAgent(agent)
      const reply = definition.onMessage(toMessage(envelope), context())
      if (typeof (reply as PromiseLike<unknown> | undefined)?.then === 'function') {
        throw 'E_AGENT_ASYNC: onMessage returned a Promise. Handlers must be synchronous: host calls return at once, so remove "async" and "await".'
      }
      return reply === undefined ? undefined : json(reply, 'the reply')
    } catch (err) {
      throw errorString(err)
    }
  }

  return {
    init (saved) {
      try {
        checkAgent(agent)
        const hasSaved = saved !== undefined && saved !== null && saved.length > 0
        holder.state = hasSaved ? readSnapshot(saved) : definition.initialState?.() ?? {}
        handedOver = hasSaved ? utf8.decode(saved) : undefined
        definition.onStart?.(context())
      } catch (err) {
        throw errorString(err)
      }
    },
    onMessage: handle,
    onBatch (envelopes) {
      const results = envelopes.map((envelope): BatchResult => {
        try {
          return { tag: 'ok', val: handle(envelope) }
        } catch (err) {
          return { tag: 'err', val: err as string }
        }
      })
      const now = snapshot()
      if (now === handedOver) return { results }
      handedOver = now
      return { results, state: utf8.encode(now) }
    },
    onMigrate () {
      handedOver = snapshot()
      return utf8.encode(handedOver)
    }
  }

  function snapshot (): string {
    try {
      return json({ v: 1, state: holder.state } satisfies Snapshot, 'ctx.state')
    } catch (err) {
      // neither export has an error case for this: log why, then fail loudly rather than lose state
      const why = errorString(err)
      try { imports.host.log('error', why) } catch { /* the host is gone too: the throw below still says why */ }
      throw why
    }
  }
}

function checkAgent (agent: unknown): void {
  if (typeof (agent as AgentDefinition<unknown> | undefined)?.onMessage !== 'function') {
    throw 'E_AGENT_EXPORTS: the module\'s default export is not an agent. Write: export default defineAgent({ onMessage (msg, ctx) { … } })'
  }
}

function readSnapshot (bytes: Uint8Array): unknown {
  let snapshot: Partial<Snapshot>
  try {
    snapshot = JSON.parse(utf8.decode(bytes)) as Partial<Snapshot>
  } catch (err) {
    throw `E_AGENT_STATE: the saved state is not JSON (${err instanceof Error ? err.message : String(err)})`
  }
  if (snapshot?.v !== 1) throw `E_AGENT_STATE: the saved state has format ${String(snapshot?.v)}; this SDK reads format 1`
  return snapshot.state
}

const KINDS = new Set<string>(['message', 'request', 'reply'])

function toMessage (envelope: Envelope): Message {
  let payload: unknown
  try {
    payload = JSON.parse(envelope.payload)
  } catch {
    payload = envelope.payload
  }
  return {
    id: envelope.id,
    from: envelope.from,
    kind: (KINDS.has(envelope.kind) ? envelope.kind : 'message') as MessageKind,
    seq: Number(envelope.seq),
    payload,
    ...(envelope.replyTo !== undefined && envelope.replyTo !== null ? { replyTo: envelope.replyTo } : {}),
    ...(envelope.trace !== undefined && envelope.trace !== null ? { trace: envelope.trace } : {})
  }
}
