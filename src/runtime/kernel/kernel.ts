import os from 'node:os'
import { defaultLogger } from '../logger.js'
import { WorkerPool } from '../wasm/index.js'
import { agentInfo, hostedAgent, type Agent, type AgentSnapshot, type DeployInit, type KernelComponents, type KernelInit } from './agent.js'
import { AgentLifecycle } from './agent-lifecycle.js'
import { AgentMigration } from './agent-migration.js'
import { Dispatcher } from './dispatcher.js'
import { AgentUnavailableError, agentErrorText } from './errors.js'
import { EventBus, type KernelEvent } from './events.js'
import { HostServices } from './host-services.js'
import { Namespaces } from './namespaces.js'
import { Recovery } from './recovery.js'
import { PendingReplies } from './pending-replies.js'
import { Replies } from './replies.js'
import { Routing } from './routing.js'
import type { AgentInfo, Envelope } from '../types/index.js'

/**
 * One node's kernel: the agent table, and the parts that act on it — lifecycle (deploy,
 * start, stop), routing of envelopes, replies, recovery after traps and lost workers, and
 * migration — composed over one worker pool, with namespaces and an event stream.
 */

export type { AgentSnapshot, DeployInit, KernelComponents, KernelInit } from './agent.js'
export { isClientAddress } from './routing.js'

export class Kernel {
  readonly events = new EventBus<KernelEvent>()
  readonly #agents = new Map<string, Agent>()
  readonly #blobs = new Map<string, Uint8Array>()
  readonly #pending = new PendingReplies()
  readonly #components: KernelComponents
  readonly #pool: WorkerPool
  readonly #host: HostServices
  readonly #routing: Routing
  readonly #lifecycle: AgentLifecycle
  readonly #recovery: Recovery
  readonly #migration: AgentMigration

  constructor (components: KernelComponents, init: KernelInit = {}) {
    const { events } = this
    const agents = this.#agents
    const log = components.logger ?? defaultLogger('kernel')
    this.#components = components
    // The pool and the dispatcher call back into parts built after them; these closures are
    // made once, here, and only run once the kernel is whole.
    this.#pool = new WorkerPool({
      size: init.workers ?? os.availableParallelism(),
      onHostCall: async (agent, fn, args) => await this.#host.call(agent, fn, args),
      onLog: (agent, level, message) => events.emit({ name: 'kernel:agent:log', agent, level, message }),
      onReplaced: (index, reason, on) => this.#recovery.workerReplaced(index, reason, on),
      errorText: agentErrorText
    })
    const dispatch = new Dispatcher({
      pool: this.#pool,
      agents,
      maxBatch: init.maxBatch ?? 64,
      delivered: (agent, batch, outcome) => this.#recovery.delivered(agent, batch, outcome),
      lost: (agent, batch, err) => this.#recovery.lost(agent, batch, err)
    })
    const routing = this.#routing = new Routing({ agents, components, events, pending: this.#pending, dispatch })
    const replies = new Replies({ pending: this.#pending, routing, events, log })
    const host = this.#host = new HostServices({
      agent: (id) => hostedAgent(agents, id),
      send: (from, to, payload, kind, grants) => routing.enqueue(routing.envelope(from, to, payload, kind, undefined, grants)).id,
      store: components.store,
      tensor: components.tensor
    })
    const namespaces = new Namespaces(init.namespaces)
    this.#lifecycle = new AgentLifecycle({ agents, components, pool: this.#pool, namespaces, blobs: this.#blobs, events, dispatch, host, replies })
    this.#recovery = new Recovery({ agents, components, maxRestarts: init.maxRestartsPerMinute ?? 5, dispatch, lifecycle: this.#lifecycle, replies, events, log })
    this.#migration = new AgentMigration({ agents, components, pool: this.#pool, dispatch, host, events })
  }

  // ---- agents --------------------------------------------------------------------------

  async deploy (init: DeployInit): Promise<AgentInfo> { return await this.#lifecycle.deploy(init) }

  /**
   * New code for a running agent under the same id, keeping its state (checkpoint, kv) and its
   * queue; messages that arrive meanwhile wait in its mailbox. If the new code does not start,
   * the old code runs again as it was, and this throws.
   */
  async replace (init: DeployInit & { id: string }): Promise<AgentInfo> {
    const snapshot = await this.#migration.freeze(init.id)
    hostedAgent(this.#agents, init.id).mailbox.unshift(snapshot.mailbox) // the queue stays where it is
    try {
      return await this.#lifecycle.swap(init.id, init, snapshot.state)
    } finally {
      const agent = this.#agents.get(init.id)
      if (agent?.status === 'migrating') this.#migration.thaw(init.id) // the new component did not even load
    }
  }

  /** Stops an agent and forgets it (record, checkpoint and kv state). */
  async stopAgent (id: string): Promise<void> { await this.#lifecycle.stop(id) }

  /** Agents hosted here (not those that migrated away and are only forwarded). */
  list (): AgentInfo[] { return [...this.#agents.values()].filter((a) => a.forward === undefined).map((a) => agentInfo(a)) }
  info (id: string): AgentInfo { return agentInfo(hostedAgent(this.#agents, id)) }
  has (id: string): boolean { return this.#agents.get(id)?.forward === undefined && this.#agents.has(id) }

  /** Revokes an agent's capability by name ('kv', 'send:bob'), and all delegated from it. */
  revoke (id: string, capability: string): number { return hostedAgent(this.#agents, id).caps.revoke(capability) }

  // ---- messages ------------------------------------------------------------------------

  /** A one-way message from outside the node's agents (the CLI, a peer). */
  send (from: string, to: string, payload: string): Envelope { return this.#routing.send(from, to, payload) }

  /** A request from outside; resolves with the agent's reply (undefined if it returned none). */
  async request (from: string, to: string, payload: string, options: { timeoutMs?: number, signal?: AbortSignal } = {}): Promise<string | undefined> {
    return await this.#routing.request(from, to, payload, options)
  }

  /** An envelope from another kernel (migration forwarding, the mesh): delivered or routed on. */
  accept (e: Envelope): void { this.#routing.accept(e) }

  // ---- migration -----------------------------------------------------------------------

  /** Stops dispatching to the agent after the batches in flight and snapshots it with its queue. */
  async freeze (id: string): Promise<AgentSnapshot> { return await this.#migration.freeze(id) }

  /** Undoes a freeze when a migration fails, putting the snapshot's queue back in front. */
  thaw (id: string, queue: Envelope[] = []): void { this.#migration.thaw(id, queue) }

  /** After the target runs the agent: forward what arrived meanwhile, and everything later. */
  async release (id: string, forward: (e: Envelope) => void): Promise<void> { await this.#migration.release(id, forward) }

  /** The bytes of a component this kernel runs, by hash (to copy a module ahead of a migration). */
  component (hash: string): Uint8Array | undefined { return this.#blobs.get(hash) }

  // ---- the node ------------------------------------------------------------------------

  /** Resolves once no agent has queued or in-flight messages (or after `timeoutMs`). */
  async drain (timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    const busy = (): boolean => [...this.#agents.values()].some((a) => a.status === 'running' && (a.inFlight.length > 0 || a.mailbox.size > 0))
    while (busy() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
  }

  async stop (): Promise<void> {
    this.#recovery.stop()
    this.#pending.rejectAll(new AgentUnavailableError('The node is shutting down.'))
    await this.#pool.stop()
    await this.#host.close()
    await this.#components.store?.flush()
  }
}
