import type { Delivered, WorkerPool } from '../wasm/index.js'
import type { Agent } from './agent.js'
import type { Envelope } from './envelope.js'

export interface DispatcherInit {
  pool: WorkerPool
  agents: ReadonlyMap<string, Agent>
  /** Most messages per batch. */
  maxBatch: number
  /** A batch came back from its worker (replies, state, or a trap). */
  delivered: (agent: Agent, batch: Envelope[], outcome: Delivered) => void
  /** The worker running a batch died or was replaced. */
  lost: (agent: Agent, batch: Envelope[], err: unknown) => void
}

/**
 * Hands agents' queued messages to their worker threads. Each worker runs one batch at a
 * time, so a batch's deadline is exact, and the agents ready on a worker take turns. An
 * agent's messages leave in order, one batch in flight at a time.
 */
export class Dispatcher {
  readonly #d: DispatcherInit
  readonly #ready: string[][]
  readonly #busy: boolean[]
  readonly #scheduled: boolean[]

  constructor (init: DispatcherInit) {
    this.#d = init
    this.#ready = Array.from({ length: init.pool.size }, () => [])
    this.#busy = this.#ready.map(() => false)
    this.#scheduled = this.#ready.map(() => false)
  }

  /** The agent has messages: queue it on its worker, if it can take them now. */
  kick (agent: Agent): void {
    if (agent.status !== 'running' || agent.busy || agent.mailbox.size === 0) return
    const queue = this.#ready[agent.worker]
    if (!queue.includes(agent.id)) queue.push(agent.id)
    this.#schedule(agent.worker)
  }

  /**
   * Puts a batch back at the front of the mailbox, to be delivered one message per call from
   * the restored checkpoint: the message at fault then fails alone. Messages that ran before
   * it run again, so their sends may repeat (at-least-once); their state changes do not.
   */
  replaySingly (agent: Agent, batch: Envelope[]): void {
    agent.mailbox.unshift(batch)
    agent.singleStep = Math.max(agent.singleStep, batch.length)
  }

  /** A worker was replaced: what was queued for it is re-kicked by the agents' restarts. */
  reset (worker: number): void {
    this.#ready[worker] = []
  }

  /**
   * Pumps once the messages that came in with this turn of the event loop are all queued:
   * they then cross to the worker in one batch. A handover to a worker wakes a thread, which
   * costs tens of µs here, and was most of the main thread's time under load.
   */
  #schedule (worker: number): void {
    if (this.#scheduled[worker]) return
    this.#scheduled[worker] = true
    setImmediate(() => {
      this.#scheduled[worker] = false
      this.#pump(worker)
    })
  }

  /** Hands the next ready agent's batch to the worker, unless it is running one. */
  #pump (worker: number): void {
    if (this.#busy[worker]) return
    const id = this.#ready[worker].shift()
    if (id === undefined) return
    const agent = this.#d.agents.get(id)
    if (agent === undefined || agent.status !== 'running' || agent.worker !== worker || agent.mailbox.size === 0) {
      this.#pump(worker)
      return
    }
    // After a batch that trapped or overran, messages go one per call until the culprit is found.
    const batch = agent.mailbox.take(agent.singleStep > 0 ? 1 : this.#d.maxBatch)
    if (agent.singleStep > 0) agent.singleStep--
    agent.busy = true
    this.#busy[worker] = true
    const deadline = agent.manifest.limits.deadlineMs * batch.length
    this.#d.pool.deliver(worker, id, batch, deadline).then(
      (d) => { agent.memoryBytes = d.memoryBytes; this.#d.delivered(agent, batch, d) },
      (err) => this.#d.lost(agent, batch, err)
    ).finally(() => {
      agent.busy = false
      this.#busy[worker] = false
      agent.idle?.()
      this.kick(agent)
      this.#pump(worker)
    })
  }
}
