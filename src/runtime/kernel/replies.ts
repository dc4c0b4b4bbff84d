import type { Logger } from '../logger.js'
import type { MessageResult } from '../wasm/index.js'
import { AgentFailedError, agentErrorText } from './errors.js'
import type { EventBus, KernelEvent } from './events.js'
import type { PendingReplies } from './pending-replies.js'
import type { Routing } from './routing.js'
import type { Envelope } from '../types/index.js'

/**
 * Answers to messages: an outside client's request settles its waiting promise, an agent's
 * request gets a reply envelope, and a one-way message that failed is logged for its agent.
 */

export interface RepliesDeps {
  pending: PendingReplies
  /** Sends reply envelopes to agents (here or on another node). */
  routing: Pick<Routing, 'enqueue' | 'envelope'>
  events: EventBus<KernelEvent>
  log: Logger
}

export class Replies {
  readonly #d: RepliesDeps

  constructor (deps: RepliesDeps) { this.#d = deps }

  /**
   * Routes the outcome of a message back to whoever asked. A client's answer waits for
   * `durable` (the checkpoint of the state it reflects), so a crash cannot undo what it saw.
   */
  answer (e: Envelope, r: MessageResult, durable?: Promise<void>): void {
    if (e.kind !== 'request') {
      if ('err' in r) this.#d.events.emit({ name: 'kernel:agent:log', agent: e.to, level: 'error', message: `handling ${e.kind} ${e.id}: ${r.err}` })
      return
    }
    const { pending } = this.#d
    if (pending.has(e.id)) {
      const settle = (): void => {
        if ('ok' in r) pending.settle(e.id, r.ok ?? undefined)
        else pending.settle(e.id, undefined, agentFailure(e.to, r.err))
      }
      if (durable === undefined) settle()
      else void durable.then(settle, settle)
      return
    }
    const payload = 'ok' in r ? (r.ok ?? 'null') : JSON.stringify({ error: { code: agentErrorCode(r.err), message: r.err } })
    try {
      this.#d.routing.enqueue(this.#d.routing.envelope(e.to, e.from, payload, 'reply', e.id))
    } catch (err) {
      this.#d.log(`reply to ${e.from} dropped: ${(err as Error).message}`)
    }
  }

  /** The message will not run: a request gets `err` as its answer, a one-way message a log line. */
  fail (e: Envelope, err: Error): void {
    if (e.kind !== 'request') {
      this.#d.events.emit({ name: 'kernel:agent:log', agent: e.to, level: 'error', message: err.message })
      return
    }
    if (this.#d.pending.has(e.id)) this.#d.pending.settle(e.id, undefined, err)
    else this.answer(e, { err: agentErrorText(err) })
  }
}

/**
 * The code of an agent's error text: its own when the text starts with one (the SDK writes
 * an AgentError as "E_OUT_OF_STOCK: …"), else E_AGENT_ERROR (anything else it threw).
 */
export function agentErrorCode (err: string): string {
  const code = /^(E_[A-Z0-9_]{1,62}):/.exec(err)?.[1]
  return code === undefined || RESERVED_CODE.test(code) ? 'E_AGENT_ERROR' : code
}

/**
 * Codes that callers act on as the runtime's own (a stack for E_INTERNAL, a missing agent,
 * a node or connection gone): an agent cannot answer with them.
 */
const RESERVED_CODE = /^E_(INTERNAL|AGENT_NOT_FOUND|NODES?_[A-Z_]+|MESH_[A-Z_]+|STREAM_CLOSED|TOKEN_[A-Z_]+|PEER_REFUSED)$/

function agentFailure (agent: string, err: string): AgentFailedError {
  const code = agentErrorCode(err)
  return new AgentFailedError(`Agent "${agent}" returned an error: ${err}`, code, {
    suggestions: [code === 'E_AGENT_ERROR'
      ? `The handler of "${agent}" threw: fix it, or throw an AgentError to answer with a code of your own. Its log may say more.`
      : `${code} is the answer of "${agent}" itself: check what you sent it, or read its log.`]
  })
}
