import { throwIfAborted } from '../errors.js'
import type { LoadedComponent, WorkerPool } from '../wasm/index.js'
import { agentInfo, hostedAgent, type Agent, type DeployInit, type KernelComponents } from './agent.js'
import { CapabilitySpace } from './capabilities.js'
import type { Dispatcher } from './dispatcher.js'
import { AgentFailedError, AgentUnavailableError } from './errors.js'
import type { EventBus, KernelEvent } from './events.js'
import type { HostServices } from './host-services.js'
import { Mailbox } from './mailbox.js'
import type { Namespaces } from './namespaces.js'
import type { Replies } from './replies.js'
import type { AgentInfo } from '../types/index.js'

/**
 * An agent's life on this node: deployed (loaded, instantiated in a worker, recorded in the
 * store), started again after a crash, and stopped. Status: deploying → running → stopped.
 */

export interface AgentLifecycleDeps {
  agents: Map<string, Agent>
  components: Pick<KernelComponents, 'loader' | 'store'>
  pool: WorkerPool
  namespaces: Namespaces
  /** Component bytes by hash, kept to copy ahead of a migration. */
  blobs: Map<string, Uint8Array>
  events: EventBus<KernelEvent>
  dispatch: Pick<Dispatcher, 'kick'>
  host: Pick<HostServices, 'prepare' | 'release'>
  replies: Pick<Replies, 'fail'>
}

export class AgentLifecycle {
  readonly #d: AgentLifecycleDeps

  constructor (deps: AgentLifecycleDeps) { this.#d = deps }

  async deploy (init: DeployInit): Promise<AgentInfo> {
    throwIfAborted(init.signal)
    const { agents, components: { loader, store }, events } = this.#d
    const id = init.id ?? init.manifest.name
    if (agents.has(id)) {
      throw new AgentUnavailableError(`An agent named "${id}" already runs on this node.`, 'E_AGENT_EXISTS', { suggestions: ['Pick another name, or stop the running one first.'] })
    }
    const ns = this.#d.namespaces.get(init.namespace ?? 'default')
    const { manifest } = init
    ns.admitAgent(manifest.limits.memoryMb)
    const caps = CapabilitySpace.of(id, ['log', ...(init.caps ?? manifest.capabilities)])
    const agent: Agent = {
      id, ns, manifest, caps, status: 'deploying', worker: this.#d.pool.leastLoaded(), inFlight: [], singleStep: 0, processed: 0, restarts: [], memoryBytes: 0,
      component: undefined as unknown as LoadedComponent,
      mailbox: new Mailbox(manifest.limits.mailbox, id),
      checkpoint: init.state
    }
    agents.set(id, agent)
    events.emit({ name: 'kernel:agent:deploying', agent: id })
    try {
      agent.component = await loader.load(init.component, init)
      this.#d.blobs.set(agent.component.hash, init.component)
      for (const e of init.mailbox ?? []) agent.mailbox.push(e)
      await this.start(agent, init.state !== undefined)
      if (store !== undefined) {
        await store.putBlob(agent.component.hash, init.component)
        await store.saveAgent({ id, namespace: ns.name, manifest, hash: agent.component.hash, caps: caps.names() })
        if (init.state !== undefined) await store.saveCheckpoint(id, init.state)
      }
    } catch (err) {
      agents.delete(id)
      ns.releaseAgent(manifest.limits.memoryMb)
      throw err
    }
    this.#d.dispatch.kick(agent)
    return agentInfo(agent)
  }

  /** Instantiates the agent in its worker, from its checkpoint when it has one. */
  async start (agent: Agent, restored: boolean): Promise<void> {
    const modules = await this.#d.components.loader.modules(agent.component, agent.manifest.limits.memoryMb)
    await this.#d.host.prepare(agent.caps.names())
    try {
      await this.#d.pool.load(agent.worker, agent.id, agent.component.gluePath, modules, agent.caps.names(), agent.manifest.limits.memoryMb, agent.checkpoint)
    } catch (err) {
      throw new AgentFailedError(`Agent "${agent.id}" failed to start: ${(err as Error).message}`, undefined, {
        cause: err, suggestions: ['Check its init(): it must accept the state its on-migrate returned.']
      })
    }
    agent.status = 'running'
    this.#d.events.emit({ name: 'kernel:agent:started', agent: agent.id, worker: agent.worker, restored })
  }

  /** Stops an agent and forgets it (record, checkpoint and kv state); what it had queued fails. */
  async stop (id: string): Promise<void> {
    const agent = hostedAgent(this.#d.agents, id)
    const queued = agent.mailbox.take(agent.mailbox.size)
    const unloaded = this.unload(id)
    const reason = new AgentUnavailableError(`Agent "${id}" was stopped.`)
    for (const e of queued) this.#d.replies.fail(e, reason)
    await unloaded
    await this.#d.components.store?.deleteAgent(id)
    this.#d.events.emit({ name: 'kernel:agent:stopped', agent: id })
  }

  /**
   * New code for a frozen agent, in place: it keeps its id, namespace, mailbox (which takes
   * messages all along) and kv state, and starts from `state`. The new component is loaded
   * and checked before the old one leaves its worker; if the new one does not start, the old
   * one starts again from the same state and this throws.
   */
  async swap (id: string, init: DeployInit, state: Uint8Array | undefined): Promise<AgentInfo> {
    const agent = hostedAgent(this.#d.agents, id)
    const component = await this.#d.components.loader.load(init.component, init)
    const old = { component: agent.component, manifest: agent.manifest, caps: agent.caps }
    agent.ns.releaseAgent(old.manifest.limits.memoryMb)
    try {
      agent.ns.admitAgent(init.manifest.limits.memoryMb)
    } catch (err) {
      agent.ns.admitAgent(old.manifest.limits.memoryMb)
      throw err
    }
    await this.#d.pool.unload(agent.worker, id)
    agent.checkpoint = state
    Object.assign(agent, { component, manifest: init.manifest, caps: CapabilitySpace.of(id, ['log', ...(init.caps ?? init.manifest.capabilities)]) })
    try {
      await this.start(agent, true)
    } catch (err) {
      agent.ns.admitAgent(old.manifest.limits.memoryMb)
      agent.ns.releaseAgent(init.manifest.limits.memoryMb)
      Object.assign(agent, old)
      await this.start(agent, true) // the old code ran from this very state a moment ago
      throw err
    } finally {
      this.#d.dispatch.kick(agent)
    }
    this.#d.blobs.set(component.hash, init.component)
    const { store } = this.#d.components
    if (store !== undefined) {
      await store.putBlob(component.hash, init.component)
      await store.saveAgent({ id, namespace: agent.ns.name, manifest: init.manifest, hash: component.hash, caps: agent.caps.names() })
      if (state !== undefined) await store.saveCheckpoint(id, state)
    }
    return agentInfo(agent)
  }

  /**
   * Takes an agent out of its worker and off this kernel, but keeps its record, checkpoint and
   * kv state in the store. Its mailbox is the caller's to empty.
   */
  async unload (id: string): Promise<void> {
    const agent = hostedAgent(this.#d.agents, id)
    agent.status = 'stopped'
    this.#d.agents.delete(id)
    agent.ns.releaseAgent(agent.manifest.limits.memoryMb)
    await this.#d.pool.unload(agent.worker, id)
    await this.#d.host.release(id)
  }
}
