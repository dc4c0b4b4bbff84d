import type { Delivered, WorkerPool } from '../wasm/index.js'
import type { Agent, Flight } from './agent.js'
import type { Envelope } from '../types/index.js'

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
 * Batches handed to a worker at once. The second waits in the worker's queue while the first
 * runs, so the worker starts it as soon as it is done instead of idling while the main thread
 * takes the results and hands over more (a thread wake-up each way, tens of µs here).
 */
const DEPTH = 2

/**
 * Hands agents' queued messages to their worker threads, up to DEPTH batches per worker, and
 * the agents ready on a worker take turns. An agent's batches run in order (a worker runs
 * what it is given first to last). When one traps or is lost, the agent's batches behind it
 * have not run (a trap discards the instance): they go back to the front of its mailbox,
 * behind the kernel's own retry of the failed batch.
 */
export class Dispatcher {
  readonly #d: DispatcherInit
  readonly #ready: string[][]
  readonly #inFlight: number[]
  readonly #scheduled: boolean[]

  constructor (init: DispatcherInit) {
    this.#d = init
    this.#ready = Array.from({ length: init.pool.size }, () => [])
    this.#inFlight = this.#ready.map(() => 0)
    this.#scheduled = this.#ready.map(() => false)
  }

  /** The agent has messages: queue it on its worker, if it can take them now. */
  kick (agent: Agent): void {
    if (agent.status !== 'running' || agent.mailbox.size === 0 || !canTake(agent)) return
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

  /** Hands the next ready agent's batch to the worker, unless it holds DEPTH already. */
  #pump (worker: number): void {
    if (this.#inFlight[worker] >= DEPTH) return
    const id = this.#ready[worker].shift()
    if (id === undefined) return
    const agent = this.#d.agents.get(id)
    if (agent === undefined || agent.status !== 'running' || agent.worker !== worker || agent.mailbox.size === 0 || !canTake(agent)) {
      this.#pump(worker)
      return
    }
    // After a batch that trapped or overran, messages go one per call until the culprit is found.
    const batch = agent.mailbox.take(agent.singleStep > 0 ? 1 : this.#d.maxBatch)
    if (agent.singleStep > 0) agent.singleStep--
    const flight: Flight = { batch, recalled: false }
    agent.inFlight.push(flight)
    this.#inFlight[worker]++
    const deadline = agent.manifest.limits.deadlineMs * batch.length
    this.#d.pool.deliver(worker, id, batch, deadline).then(
      (d) => {
        if (flight.recalled) return
        agent.memoryBytes = d.memoryBytes
        if (d.trap !== undefined) this.#recallBehind(agent, flight)
        this.#d.delivered(agent, batch, d)
      },
      (err) => {
        if (flight.recalled) return
        this.#recallBehind(agent, flight)
        this.#d.lost(agent, batch, err)
      }
    ).finally(() => {
      agent.inFlight.splice(agent.inFlight.indexOf(flight), 1)
      this.#inFlight[worker]--
      if (agent.inFlight.length === 0) agent.idle?.()
      this.kick(agent)
      this.#pump(worker)
    })
    // more of its messages may go behind this batch, once this turn's arrivals are in
    this.kick(agent)
  }

  /** The agent's batches after `flight` did not run: back to the front of the mailbox, in order. */
  #recallBehind (agent: Agent, flight: Flight): void {
    const behind = agent.inFlight.slice(agent.inFlight.indexOf(flight) + 1).filter((f) => !f.recalled)
    for (const f of behind) f.recalled = true
    agent.mailbox.unshift(behind.flatMap((f) => f.batch))
  }
}

/** One batch at a time while single-stepping (to find a culprit); otherwise up to DEPTH. */
function canTake (agent: Agent): boolean {
  return agent.inFlight.length === 0 || (agent.inFlight.length < DEPTH && agent.singleStep === 0)
}
