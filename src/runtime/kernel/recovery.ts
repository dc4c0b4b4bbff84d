import type { Logger } from '../logger.js'
import { WorkerLostError, type Delivered } from '../wasm/index.js'
import { claimRestart, type Agent, type KernelComponents } from './agent.js'
import type { AgentLifecycle } from './agent-lifecycle.js'
import { persist } from './checkpoints.js'
import type { Dispatcher } from './dispatcher.js'
import { AgentUnavailableError, deadlineError, notRunError, trapOutcome } from './errors.js'
import type { EventBus, KernelEvent } from './events.js'
import type { Replies } from './replies.js'
import type { Envelope } from '../types/index.js'

/**
 * What becomes of a batch once its worker is done with it: its answers go out after the
 * state they reflect is stored; a trap, an overrun deadline or a replaced worker restart the
 * agent under its policy and replay or fail its messages, so that each message that did not
 * run gets an answer and none runs twice into the stored state.
 */

export interface RecoveryDeps {
  agents: ReadonlyMap<string, Agent>
  components: Pick<KernelComponents, 'store'>
  /** Restarts allowed per agent per minute before it is marked failed. */
  maxRestarts: number
  dispatch: Pick<Dispatcher, 'kick' | 'replaySingly' | 'reset'>
  lifecycle: Pick<AgentLifecycle, 'start'>
  replies: Pick<Replies, 'answer' | 'fail'>
  events: EventBus<KernelEvent>
  log: Logger
}

export class Recovery {
  readonly #d: RecoveryDeps
  #stopping = false

  constructor (deps: RecoveryDeps) { this.#d = deps }

  /** The node is shutting down: lost batches stay unhandled, their agents resume from their checkpoints. */
  stop (): void { this.#stopping = true }

  /** A batch came back from its worker: replies, new state, or a trap. */
  delivered (agent: Agent, batch: Envelope[], { results, state, trap, replay, cpuMs }: Delivered): void {
    agent.ns.chargeCpu(cpuMs)
    agent.processed += results.length
    if (state !== undefined) agent.checkpoint = state
    // A client's reply waits for the checkpoint: once it sees the answer, a crash cannot undo it.
    // No state means unchanged, but the write of that state may still be on its way, or have
    // failed (then it is tried again now).
    const store = this.#d.components.store
    const snapshot = state ?? (agent.persisted === undefined ? agent.checkpoint : undefined)
    const durable = store === undefined ? undefined : snapshot !== undefined ? persist(store, agent, snapshot, this.#d.log) : agent.persisted?.written
    for (let i = 0; i < results.length; i++) this.#d.replies.answer(batch[i], results[i], durable)
    if (trap === undefined) return
    if (agent.status === 'stopped') return this.#failLeftovers(agent, batch.slice(results.length))
    if (replay === true) {
      this.#d.dispatch.replaySingly(agent, batch)
      void this.#restart(agent, `trapped in a batch of ${batch.length}: ${trap}`)
      return
    }
    // A single message trapped (a trap in a batch of several is replayed above): it fails.
    const failed = batch[results.length]
    const { error, reason } = trapOutcome(agent.id, agent.manifest.limits.memoryMb, trap)
    if (failed !== undefined) this.#d.replies.fail(failed, error)
    agent.mailbox.unshift(batch.slice(results.length + 1))
    void this.#restart(agent, reason)
  }

  /** The worker running a batch died or was replaced. */
  lost (agent: Agent, batch: Envelope[], err: unknown): void {
    if (!(err instanceof WorkerLostError)) throw err
    if (this.#stopping) return
    // A batch that waited behind the one that overran or crashed never ran: it runs after the
    // restart. One that ran: with one message, that one overran the deadline; with more, it is
    // not known which, so all are replayed one by one (unless the agent will not run again:
    // the worker's replacement refused it a restart, or it was stopped).
    if (!err.running) agent.mailbox.unshift(batch)
    else if (batch.length > 1) this.#d.dispatch.replaySingly(agent, batch)
    else this.#d.replies.fail(batch[0], deadlineError(agent.id, agent.manifest.limits.deadlineMs))
    if (agent.status === 'failed' || agent.status === 'stopped') this.#failLeftovers(agent, [])
  }

  /** A worker was replaced: the runaway restarts under its policy, its neighbours come back from their last snapshot. */
  workerReplaced (index: number, reason: string, agents: string[]): void {
    this.#d.events.emit({ name: 'kernel:worker:replaced', worker: index, reason })
    this.#d.log(`worker ${index} replaced: ${reason}`)
    this.#d.dispatch.reset(index)
    for (const id of agents) {
      const agent = this.#d.agents.get(id)
      if (agent === undefined) continue
      if (reason.includes(`"${id}"`)) void this.#restart(agent, reason)
      else void this.#reload(agent)
    }
  }

  /** The agent will not run again: `batch` and what was put back in its mailbox get an error. */
  #failLeftovers (agent: Agent, batch: Envelope[]): void {
    const err = notRunError(agent.id, agent.status)
    for (const e of [...batch, ...agent.mailbox.take(agent.mailbox.size)]) this.#d.replies.fail(e, err)
  }

  async #reload (agent: Agent): Promise<void> {
    agent.status = 'restarting'
    try {
      await this.#d.lifecycle.start(agent, true)
      this.#d.dispatch.kick(agent)
    } catch (err) {
      this.#markFailed(agent, (err as Error).message, false)
    }
  }

  async #restart (agent: Agent, reason: string): Promise<void> {
    const allowed = claimRestart(agent, this.#d.maxRestarts)
    this.#d.events.emit({ name: 'kernel:agent:failed', agent: agent.id, reason, willRestart: allowed })
    if (allowed) await this.#reload(agent)
    else this.#markFailed(agent, reason, true)
  }

  #markFailed (agent: Agent, reason: string, emitted: boolean): void {
    agent.status = 'failed'
    if (!emitted) this.#d.events.emit({ name: 'kernel:agent:failed', agent: agent.id, reason, willRestart: false })
    const err = new AgentUnavailableError(`Agent "${agent.id}" failed: ${reason}`)
    for (const e of agent.mailbox.take(agent.mailbox.size)) this.#d.replies.fail(e, err)
  }
}
