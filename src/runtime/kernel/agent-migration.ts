import type { WorkerPool } from '../wasm/index.js'
import { hostedAgent, type Agent, type AgentSnapshot, type KernelComponents } from './agent.js'
import type { Dispatcher } from './dispatcher.js'
import { AgentUnavailableError } from './errors.js'
import type { EventBus, KernelEvent } from './events.js'
import type { HostServices } from './host-services.js'
import type { Envelope } from '../types/index.js'

/**
 * This kernel's side of moving an agent to another: freeze it after the batches in flight
 * and snapshot it with its queue, thaw it if the move fails, or release it once the target
 * runs it, after which its id forwards (running → migrating → stopped, forwarded).
 */

export interface AgentMigrationDeps {
  agents: ReadonlyMap<string, Agent>
  components: Pick<KernelComponents, 'store'>
  pool: WorkerPool
  dispatch: Pick<Dispatcher, 'kick'>
  host: Pick<HostServices, 'release'>
  events: EventBus<KernelEvent>
}

export class AgentMigration {
  readonly #d: AgentMigrationDeps

  constructor (deps: AgentMigrationDeps) { this.#d = deps }

  /** Stops dispatching to the agent after the batches in flight and snapshots it with its queue. */
  async freeze (id: string): Promise<AgentSnapshot> {
    const agent = hostedAgent(this.#d.agents, id)
    if (agent.status !== 'running') throw new AgentUnavailableError(`Agent "${id}" is ${agent.status} and cannot be migrated now.`)
    agent.status = 'migrating'
    this.#d.events.emit({ name: 'kernel:agent:migrating', agent: id })
    if (agent.inFlight.length > 0) await new Promise<void>((resolve) => { agent.idle = resolve })
    agent.idle = undefined
    const state = await this.#d.pool.snapshot(agent.worker, id)
    return {
      id, namespace: agent.ns.name, manifest: agent.manifest, hash: agent.component.hash, caps: agent.caps.names(),
      state: state ?? agent.checkpoint, mailbox: agent.mailbox.take(agent.mailbox.size)
    }
  }

  /** Undoes a freeze when a migration fails, putting the snapshot's queue back in front. */
  thaw (id: string, queue: Envelope[] = []): void {
    const agent = hostedAgent(this.#d.agents, id)
    agent.mailbox.unshift(queue)
    agent.status = 'running'
    this.#d.dispatch.kick(agent)
  }

  /** After the target runs the agent: forward what arrived meanwhile, and everything later. */
  async release (id: string, forward: (e: Envelope) => void): Promise<void> {
    const agent = hostedAgent(this.#d.agents, id)
    agent.forward = forward
    for (const e of agent.mailbox.take(agent.mailbox.size)) forward(e)
    agent.status = 'stopped'
    agent.ns.releaseAgent(agent.manifest.limits.memoryMb)
    await this.#d.pool.unload(agent.worker, id)
    await this.#d.host.release(id)
    await this.#d.components.store?.deleteAgent(id)
    this.#d.events.emit({ name: 'kernel:agent:stopped', agent: id })
  }
}
