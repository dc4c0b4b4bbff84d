import os from 'node:os'
import { throwIfAborted } from '../errors.js'
import { defaultLogger, type Logger } from '../logger.js'
import { WorkerLostError, WorkerPool, type Delivered, type LoadedComponent, type MessageResult } from '../wasm/index.js'
import { agentInfo, claimRestart, type Agent, type AgentSnapshot, type DeployInit, type KernelComponents, type KernelInit } from './agent.js'
import { CapabilitySpace } from './capabilities.js'
import { persist } from './checkpoints.js'
import { Dispatcher } from './dispatcher.js'
import { AgentFailedError, AgentNotFoundError, AgentUnavailableError, agentErrorText, deadlineError, notRunError, trapOutcome } from './errors.js'
import { checkEnvelope, newMessageId } from './envelope.js'
import { EventBus, type KernelEvent } from './events.js'
import { HostServices } from './host-services.js'
import { Mailbox } from './mailbox.js'
import { Namespaces } from './namespaces.js'
import { PendingReplies } from './replies.js'
import type { AgentInfo, Envelope, EnvelopeKind } from '../types/index.js'

/**
 * One node's kernel: the agent table and lifecycle (deploying → running → migrating →
 * stopped / failed), capability spaces, bounded mailboxes, request/reply routing, the
 * scheduler over the worker pool, namespaces with quotas, and the event stream.
 */

export type { AgentSnapshot, DeployInit, KernelComponents, KernelInit } from './agent.js'

/** Ids of outside clients rather than agents: `cli:…`. */
export const isClientAddress = (id: string): boolean => id.startsWith('cli:')

export class Kernel {
  readonly events = new EventBus<KernelEvent>()
  readonly #c: KernelComponents
  readonly #log: Logger
  readonly #pool: WorkerPool
  readonly #maxRestarts: number
  readonly #agents = new Map<string, Agent>()
  readonly #namespaces: Namespaces
  readonly #blobs = new Map<string, Uint8Array>()
  readonly #replies = new PendingReplies()
  readonly #seq = new Map<string, bigint>()
  readonly #dispatch: Dispatcher
  readonly #host: HostServices
  #stopped = false
  /** Where envelopes for ids this kernel does not host go (the mesh, or another kernel). */
  router?: (e: Envelope) => void

  constructor (components: KernelComponents, init: KernelInit = {}) {
    this.#c = components
    this.#log = components.logger ?? defaultLogger('kernel')
    this.#maxRestarts = init.maxRestartsPerMinute ?? 5
    this.#namespaces = new Namespaces(init.namespaces)
    this.#host = new HostServices({
      agent: (id) => this.#agent(id),
      send: (from, to, payload, kind) => this.#enqueue(this.#envelope(from, to, payload, kind)).id,
      store: components.store,
      tensor: components.tensor
    })
    this.#pool = new WorkerPool({
      size: init.workers ?? os.availableParallelism(),
      onHostCall: async (agent, fn, args) => await this.#host.call(agent, fn, args),
      onLog: (agent, level, message) => this.events.emit({ name: 'kernel:agent:log', agent, level, message }),
      errorText: agentErrorText
    })
    this.#pool.onReplaced = (index, reason, agents) => this.#onWorkerReplaced(index, reason, agents)
    this.#dispatch = new Dispatcher({
      pool: this.#pool,
      agents: this.#agents,
      maxBatch: init.maxBatch ?? 64,
      delivered: (agent, batch, outcome) => this.#delivered(agent, batch, outcome),
      lost: (agent, batch, err) => this.#lost(agent, batch, err)
    })
  }

  // ---- lifecycle of agents -------------------------------------------------------------

  async deploy (init: DeployInit): Promise<AgentInfo> {
    throwIfAborted(init.signal)
    const id = init.id ?? init.manifest.name
    if (this.#agents.has(id)) {
      throw new AgentUnavailableError(`An agent named "${id}" already runs on this node.`, 'E_AGENT_EXISTS', { suggestions: ['Pick another name, or stop the running one first.'] })
    }
    const ns = this.#namespaces.get(init.namespace ?? 'default')
    const { manifest } = init
    ns.admitAgent(manifest.limits.memoryMb)
    const caps = CapabilitySpace.of(id, ['log', ...(init.caps ?? manifest.capabilities)])
    const agent: Agent = {
      id, ns, manifest, caps, status: 'deploying', worker: this.#pool.leastLoaded(), inFlight: [], singleStep: 0, processed: 0, restarts: [], memoryBytes: 0,
      component: undefined as unknown as LoadedComponent,
      mailbox: new Mailbox(manifest.limits.mailbox, id),
      checkpoint: init.state
    }
    this.#agents.set(id, agent)
    this.events.emit({ name: 'kernel:agent:deploying', agent: id })
    try {
      agent.component = await this.#c.loader.load(init.component, init)
      this.#blobs.set(agent.component.hash, init.component)
      for (const e of init.mailbox ?? []) agent.mailbox.push(e)
      await this.#start(agent, init.state !== undefined)
      if (this.#c.store !== undefined) {
        await this.#c.store.putBlob(agent.component.hash, init.component)
        await this.#c.store.saveAgent({ id, namespace: ns.name, manifest, hash: agent.component.hash, caps: caps.names() })
        if (init.state !== undefined) await this.#c.store.saveCheckpoint(id, init.state)
      }
    } catch (err) {
      this.#agents.delete(id)
      ns.releaseAgent(manifest.limits.memoryMb)
      throw err
    }
    this.#dispatch.kick(agent)
    return agentInfo(agent)
  }

  /** Instantiates the agent in its worker, from its checkpoint when it has one. */
  async #start (agent: Agent, restored: boolean): Promise<void> {
    const modules = await this.#c.loader.modules(agent.component, agent.manifest.limits.memoryMb)
    try {
      await this.#pool.load(agent.worker, agent.id, agent.component.gluePath, modules, agent.caps.names(), agent.manifest.limits.memoryMb, agent.checkpoint)
    } catch (err) {
      throw new AgentFailedError(`Agent "${agent.id}" failed to start: ${(err as Error).message}`, undefined, {
        cause: err, suggestions: ['Check its init(): it must accept the state its on-migrate returned.']
      })
    }
    agent.status = 'running'
    this.events.emit({ name: 'kernel:agent:started', agent: agent.id, worker: agent.worker, restored })
  }

  /** Stops an agent and forgets it (record, checkpoint and kv state). */
  async stopAgent (id: string): Promise<void> {
    const agent = this.#agent(id)
    agent.status = 'stopped'
    this.#remove(agent, new AgentUnavailableError(`Agent "${id}" was stopped.`))
    await this.#pool.unload(agent.worker, id)
    await this.#host.release(id)
    await this.#c.store?.deleteAgent(id)
    this.events.emit({ name: 'kernel:agent:stopped', agent: id })
  }

  #remove (agent: Agent, reason: Error): void {
    this.#agents.delete(agent.id)
    agent.ns.releaseAgent(agent.manifest.limits.memoryMb)
    for (const e of agent.mailbox.take(agent.mailbox.size)) this.#fail(e, reason)
  }

  /** Agents hosted here (not those that migrated away and are only forwarded). */
  list (): AgentInfo[] { return [...this.#agents.values()].filter((a) => a.forward === undefined).map((a) => agentInfo(a)) }
  info (id: string): AgentInfo { return agentInfo(this.#agent(id)) }
  has (id: string): boolean { return this.#agents.get(id)?.forward === undefined && this.#agents.has(id) }

  /** Revokes an agent's capability by name ('kv', 'send:bob'), and all delegated from it. */
  revoke (id: string, capability: string): number { return this.#agent(id).caps.revoke(capability) }

  // ---- messages ------------------------------------------------------------------------

  /** A one-way message from outside the node's agents (the CLI, a peer). */
  send (from: string, to: string, payload: string): Envelope {
    return this.#enqueue(this.#envelope(from, to, payload, 'message'))
  }

  /** A request from outside; resolves with the agent's reply (undefined if it returned none). */
  async request (from: string, to: string, payload: string, options: { timeoutMs?: number, signal?: AbortSignal } = {}): Promise<string | undefined> {
    throwIfAborted(options.signal)
    const e = this.#envelope(from, to, payload, 'request')
    const reply = this.#replies.wait(e.id, options.timeoutMs, () =>
      new AgentUnavailableError(`No reply from "${to}" within ${options.timeoutMs} ms.`, 'E_TIMEOUT', { suggestions: ['Retry, or raise the timeout.'] }))
    try {
      this.#enqueue(e)
    } catch (err) {
      this.#replies.settle(e.id, undefined, err as Error)
    }
    return await reply
  }

  /** An envelope from another kernel (migration forwarding, the mesh): delivered or routed on. */
  accept (e: Envelope): void {
    checkEnvelope(e)
    if (e.kind === 'reply' && e.replyTo !== undefined && this.#replies.has(e.replyTo)) {
      this.#replies.settle(e.replyTo, e.payload)
      return
    }
    this.#enqueue(e)
  }

  #envelope (from: string, to: string, payload: string, kind: EnvelopeKind, replyTo?: string): Envelope {
    const seq = (this.#seq.get(from) ?? 0n) + 1n
    this.#seq.set(from, seq)
    return checkEnvelope({ id: newMessageId(), from, to, seq, kind, payload, ...(replyTo !== undefined ? { replyTo } : {}) })
  }

  #enqueue (e: Envelope): Envelope {
    const agent = this.#agents.get(e.to)
    if (agent === undefined && isClientAddress(e.to) && this.events.active) {
      // Outside clients (the CLI, `agent run`) have addresses too; whoever serves them listens.
      this.events.emit({ name: 'kernel:outbound', envelope: e })
      return e
    }
    if (agent === undefined) {
      if (this.router === undefined) {
        throw new AgentNotFoundError(`No agent "${e.to}" on this node.`, undefined, { suggestions: ['List the agents with `mielin agent list`; ids are case-sensitive.'] })
      }
      this.router(e)
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
    if (this.events.active) this.events.emit({ name: 'kernel:message', from: e.from, to: e.to, kind: e.kind, id: e.id })
    this.#dispatch.kick(agent)
    return e
  }

  // ---- batch outcomes ------------------------------------------------------------------

  #delivered (agent: Agent, batch: Envelope[], { results, state, trap, replay, cpuMs }: Delivered): void {
    agent.ns.chargeCpu(cpuMs)
    agent.processed += results.length
    if (state !== undefined) agent.checkpoint = state
    // A client's reply waits for the checkpoint: once it sees the answer, a crash cannot undo it.
    // No state means unchanged, but the write of that state may still be on its way, or have
    // failed (then it is tried again now).
    const store = this.#c.store
    const snapshot = state ?? (agent.persisted === undefined ? agent.checkpoint : undefined)
    const durable = store === undefined ? undefined : snapshot !== undefined ? persist(store, agent, snapshot, this.#log) : agent.persisted?.written
    results.forEach((r, i) => this.#answer(batch[i], r, durable))
    if (trap === undefined) return
    if (agent.status === 'stopped') return this.#failLeftovers(agent, batch.slice(results.length))
    if (replay === true) {
      this.#dispatch.replaySingly(agent, batch)
      void this.#restart(agent, `trapped in a batch of ${batch.length}: ${trap}`)
      return
    }
    // A single message trapped (a trap in a batch of several is replayed above): it fails.
    const failed = batch[results.length]
    const { error, reason } = trapOutcome(agent.id, agent.manifest.limits.memoryMb, trap)
    if (failed !== undefined) this.#fail(failed, error)
    agent.mailbox.unshift(batch.slice(results.length + 1))
    void this.#restart(agent, reason)
  }

  #lost (agent: Agent, batch: Envelope[], err: unknown): void {
    if (!(err instanceof WorkerLostError)) throw err
    if (this.#stopped) return // shutting down: the batch stays unhandled, its agent resumes from its checkpoint
    // A batch that waited behind the one that overran or crashed never ran: it runs after the
    // restart. One that ran: with one message, that one overran the deadline; with more, it is
    // not known which, so all are replayed one by one (unless the agent will not run again:
    // the worker's replacement refused it a restart, or it was stopped).
    if (!err.running) agent.mailbox.unshift(batch)
    else if (batch.length > 1) this.#dispatch.replaySingly(agent, batch)
    else this.#fail(batch[0], deadlineError(agent.id, agent.manifest.limits.deadlineMs))
    if (agent.status === 'failed' || agent.status === 'stopped') this.#failLeftovers(agent, [])
  }

  /** The agent will not run again: `batch` and what was put back in its mailbox get an error. */
  #failLeftovers (agent: Agent, batch: Envelope[]): void {
    const err = notRunError(agent.id, agent.status)
    for (const e of [...batch, ...agent.mailbox.take(agent.mailbox.size)]) this.#fail(e, err)
  }

  #onWorkerReplaced (index: number, reason: string, agents: string[]): void {
    this.events.emit({ name: 'kernel:worker:replaced', worker: index, reason })
    this.#log(`worker ${index} replaced: ${reason}`)
    this.#dispatch.reset(index)
    for (const id of agents) {
      const agent = this.#agents.get(id)
      if (agent === undefined) continue
      // The runaway restarts under its policy; its neighbours come back from their last snapshot.
      const culprit = reason.includes(`"${id}"`)
      if (culprit) void this.#restart(agent, reason)
      else void this.#reload(agent)
    }
  }

  async #reload (agent: Agent): Promise<void> {
    agent.status = 'restarting'
    try {
      await this.#start(agent, true)
      this.#dispatch.kick(agent)
    } catch (err) {
      this.#markFailed(agent, (err as Error).message, false)
    }
  }

  async #restart (agent: Agent, reason: string): Promise<void> {
    const allowed = claimRestart(agent, this.#maxRestarts)
    this.events.emit({ name: 'kernel:agent:failed', agent: agent.id, reason, willRestart: allowed })
    if (allowed) await this.#reload(agent)
    else this.#markFailed(agent, reason, true)
  }

  #markFailed (agent: Agent, reason: string, emitted: boolean): void {
    agent.status = 'failed'
    if (!emitted) this.events.emit({ name: 'kernel:agent:failed', agent: agent.id, reason, willRestart: false })
    for (const e of agent.mailbox.take(agent.mailbox.size)) this.#fail(e, new AgentUnavailableError(`Agent "${agent.id}" failed: ${reason}`))
  }

  // ---- replies -------------------------------------------------------------------------

  /** Routes the outcome of a request back to whoever asked. */
  #answer (e: Envelope, r: MessageResult, durable?: Promise<void>): void {
    if (e.kind !== 'request') {
      if ('err' in r) this.events.emit({ name: 'kernel:agent:log', agent: e.to, level: 'error', message: `handling ${e.kind} ${e.id}: ${r.err}` })
      return
    }
    const payload = 'ok' in r ? (r.ok ?? 'null') : JSON.stringify({ error: { code: 'E_AGENT_ERROR', message: r.err } })
    if (this.#replies.has(e.id)) {
      const settle = (): void => {
        if ('ok' in r) this.#replies.settle(e.id, r.ok ?? undefined)
        else this.#replies.settle(e.id, undefined, new AgentFailedError(`Agent "${e.to}" returned an error: ${r.err}`, 'E_AGENT_ERROR'))
      }
      if (durable === undefined) settle()
      else void durable.then(settle, settle)
      return
    }
    try {
      this.#enqueue(this.#envelope(e.to, e.from, payload, 'reply', e.id))
    } catch (err) {
      this.#log(`reply to ${e.from} dropped: ${(err as Error).message}`)
    }
  }

  #fail (e: Envelope, err: Error): void {
    if (e.kind !== 'request') {
      this.events.emit({ name: 'kernel:agent:log', agent: e.to, level: 'error', message: err.message })
      return
    }
    if (this.#replies.has(e.id)) this.#replies.settle(e.id, undefined, err)
    else this.#answer(e, { err: agentErrorText(err) })
  }

  // ---- migration -----------------------------------------------------------------------

  /** Stops dispatching to the agent after the batches in flight and snapshots it with its queue. */
  async freeze (id: string): Promise<AgentSnapshot> {
    const agent = this.#agent(id)
    if (agent.status !== 'running') throw new AgentUnavailableError(`Agent "${id}" is ${agent.status} and cannot be migrated now.`)
    agent.status = 'migrating'
    this.events.emit({ name: 'kernel:agent:migrating', agent: id })
    if (agent.inFlight.length > 0) await new Promise<void>((resolve) => { agent.idle = resolve })
    agent.idle = undefined
    const state = await this.#pool.snapshot(agent.worker, id)
    return {
      id, namespace: agent.ns.name, manifest: agent.manifest, hash: agent.component.hash, caps: agent.caps.names(),
      state: state ?? agent.checkpoint, mailbox: agent.mailbox.take(agent.mailbox.size)
    }
  }

  /** Undoes a freeze when a migration fails, putting the snapshot's queue back in front. */
  thaw (id: string, queue: Envelope[] = []): void {
    const agent = this.#agent(id)
    agent.mailbox.unshift(queue)
    agent.status = 'running'
    this.#dispatch.kick(agent)
  }

  /** After the target runs the agent: forward what arrived meanwhile, and everything later. */
  async release (id: string, forward: (e: Envelope) => void): Promise<void> {
    const agent = this.#agent(id)
    agent.forward = forward
    for (const e of agent.mailbox.take(agent.mailbox.size)) forward(e)
    agent.status = 'stopped'
    agent.ns.releaseAgent(agent.manifest.limits.memoryMb)
    await this.#pool.unload(agent.worker, id)
    await this.#host.release(id)
    await this.#c.store?.deleteAgent(id)
    this.events.emit({ name: 'kernel:agent:stopped', agent: id })
  }

  /** The bytes of a component this kernel runs, by hash (to copy a module ahead of a migration). */
  component (hash: string): Uint8Array | undefined { return this.#blobs.get(hash) }

  // ---- helpers -------------------------------------------------------------------------

  #agent (id: string): Agent {
    const agent = this.#agents.get(id)
    if (agent === undefined || agent.forward !== undefined) {
      throw new AgentNotFoundError(`No agent "${id}" on this node.`, undefined, { suggestions: ['List the agents with `mielin agent list`.'] })
    }
    return agent
  }

  /** Resolves once no agent has queued or in-flight messages (or after `timeoutMs`). */
  async drain (timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    const busy = (): boolean => [...this.#agents.values()].some((a) => a.status === 'running' && (a.inFlight.length > 0 || a.mailbox.size > 0))
    while (busy() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
  }

  async stop (): Promise<void> {
    this.#stopped = true
    this.#replies.rejectAll(new AgentUnavailableError('The node is shutting down.'))
    await this.#pool.stop()
    await this.#host.close()
    await this.#c.store?.flush()
  }
}

