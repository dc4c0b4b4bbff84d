import { throwIfAborted } from '../errors.js'
import type { Agent, KernelComponents } from './agent.js'
import { grantCarried } from './delegation.js'
import type { Dispatcher } from './dispatcher.js'
import { checkEnvelope, newMessageId } from './envelope.js'
import { AgentNotFoundError, AgentUnavailableError } from './errors.js'
import type { EventBus, KernelEvent } from './events.js'
import type { PendingReplies } from './pending-replies.js'
import type { Envelope, EnvelopeKind } from '../types/index.js'

/**
 * Where an envelope goes: into a hosted agent's mailbox (which grants the receiver what
 * the envelope delegates), on to where a migrated agent went, to an outside client's
 * listener, or out through the node's router (the mesh), its grants still on it.
 * Every message of the node passes `enqueue`, so it allocates nothing of its own.
 */

/** Ids of outside clients rather than agents: `cli:…`. */
export const isClientAddress = (id: string): boolean => id.startsWith('cli:')

export interface RoutingDeps {
  agents: ReadonlyMap<string, Agent>
  /** `router` is read from here each time an envelope leaves the node. */
  components: Pick<KernelComponents, 'router'>
  events: EventBus<KernelEvent>
  /** Outside clients' requests waiting for their reply. */
  pending: PendingReplies
  dispatch: Pick<Dispatcher, 'kick'>
}

export class Routing {
  readonly #d: RoutingDeps
  /** Last sequence number per sender. */
  readonly #seq = new Map<string, bigint>()

  constructor (deps: RoutingDeps) { this.#d = deps }

  /** A one-way message from outside the node's agents (the CLI, a peer). */
  send (from: string, to: string, payload: string): Envelope {
    return this.enqueue(this.envelope(from, to, payload, 'message'))
  }

  /** A request from outside; resolves with the agent's reply (undefined if it returned none). */
  async request (from: string, to: string, payload: string, options: { timeoutMs?: number, signal?: AbortSignal } = {}): Promise<string | undefined> {
    throwIfAborted(options.signal)
    const e = this.envelope(from, to, payload, 'request')
    const reply = this.#d.pending.wait(e.id, options.timeoutMs, () =>
      new AgentUnavailableError(`No reply from "${to}" within ${options.timeoutMs} ms.`, 'E_TIMEOUT', { suggestions: ['Retry, or raise the timeout.'] }))
    try {
      this.enqueue(e)
    } catch (err) {
      this.#d.pending.settle(e.id, undefined, err as Error)
    }
    return await reply
  }

  /** An envelope from another kernel (migration forwarding, the mesh): delivered or routed on. */
  accept (e: Envelope): void {
    checkEnvelope(e)
    if (e.kind === 'reply' && e.replyTo !== undefined && this.#d.pending.has(e.replyTo)) {
      this.#d.pending.settle(e.replyTo, e.payload)
      return
    }
    this.enqueue(e)
  }

  /** A new envelope from `from`, with its next sequence number. */
  envelope (from: string, to: string, payload: string, kind: EnvelopeKind, replyTo?: string, grants?: string[]): Envelope {
    const seq = (this.#seq.get(from) ?? 0n) + 1n
    this.#seq.set(from, seq)
    const e: Envelope = { id: newMessageId(), from, to, seq, kind, payload }
    if (replyTo !== undefined) e.replyTo = replyTo
    if (grants !== undefined) e.grants = grants
    return checkEnvelope(e)
  }

  enqueue (e: Envelope): Envelope {
    const agent = this.#d.agents.get(e.to)
    if (agent === undefined) {
      if (isClientAddress(e.to) && this.#d.events.active) {
        // Outside clients (the CLI, `agent run`) have addresses too; whoever serves them listens.
        this.#d.events.emit({ name: 'kernel:outbound', envelope: e })
        return e
      }
      const router = this.#d.components.router
      if (router === undefined) {
        throw new AgentNotFoundError(`No agent "${e.to}" on this node.`, undefined, { suggestions: ['List the agents with `mielin agent list`; ids are case-sensitive.'] })
      }
      router(e)
      return e
    }
    if (agent.forward !== undefined) {
      agent.forward(e)
      return e
    }
    if (agent.status === 'stopped' || agent.status === 'failed') {
      throw new AgentUnavailableError(`Agent "${e.to}" is ${agent.status}.`, undefined, { suggestions: [`Deploy it again; see why it ${agent.status} in the node's log.`] })
    }
    agent.ns.admitMessage()
    agent.mailbox.push(e)
    if (e.grants !== undefined) grantCarried(agent, e.grants, this.#local(e.from))
    if (this.#d.events.active) this.#d.events.emit({ name: 'kernel:message', from: e.from, to: e.to, kind: e.kind, id: e.id })
    this.#d.dispatch.kick(agent)
    return e
  }

  /** The agent `id` when it runs on this kernel (a sender whose capabilities grants derive from). */
  #local (id: string): Agent | undefined {
    const agent = this.#d.agents.get(id)
    return agent?.forward === undefined ? agent : undefined
  }
}
