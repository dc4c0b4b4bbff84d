import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads'
import type { FromWorker, HostCallName, HostReply, MessageResult, ToWorker } from './protocol.js'
import type { Envelope } from '../types/index.js'

/**
 * The worker threads that run agents. Each worker hosts several agents and runs one batch
 * at a time, in the order they were handed over; the pool gives every batch a deadline from
 * when the worker can start it and, when a batch runs past it, terminates that worker and
 * starts a fresh one in its place, so a runaway agent costs the node one worker restart,
 * never the node.
 */

export interface WorkerPoolInit {
  size: number
  /** Serves an agent's synchronous host call (send, kv, tensor). */
  onHostCall: (agent: string, fn: HostCallName, args: unknown[]) => Promise<unknown>
  onLog: (agent: string, level: string, message: string) => void
  /** Turns a host error into the text the agent sees. */
  errorText: (err: unknown) => string
  /** JS heap limit per worker, MiB (wasm memories are capped separately, per agent). */
  maxHeapMb?: number
  /** Called after a worker was replaced, with the agents that were on it (to reload them); default: nothing. */
  onReplaced?: (index: number, reason: string, agents: string[]) => void
}

export interface Delivered { results: MessageResult[], state?: Uint8Array, trap?: string, replay?: boolean, cpuMs: number, memoryBytes: number }

/**
 * The worker was terminated (deadline) or died; `agents` were on it. `running`: the request
 * was the batch the worker was running (or could have been), not one waiting behind it.
 */
export class WorkerLostError extends Error {
  constructor (readonly worker: number, readonly reason: string, readonly agents: string[], readonly running = true) {
    super(`worker ${worker} was replaced: ${reason}`)
  }
}

/** A request sent to a worker; a delivery is `running` once its deadline runs (`start`). */
interface Pending { resolve: (m: FromWorker) => void, reject: (e: Error) => void, running: boolean, start?: () => void }

interface Slot {
  worker: Worker
  flag: Int32Array
  replyPort: MessagePort
  pending: Map<number, Pending>
  /** Deliveries handed to this worker and not back, oldest (the one running) first. */
  deliveries: Pending[]
  agents: Set<string>
  /** Components (gluePath:memoryMb) whose modules this worker already holds. */
  modules: Set<string>
}

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url)

export class WorkerPool {
  readonly #init: WorkerPoolInit
  readonly #slots: Slot[] = []
  #req = 0
  #stopping = false

  constructor (init: WorkerPoolInit) {
    this.#init = init
    for (let i = 0; i < Math.max(1, init.size); i++) this.#slots.push(this.#spawn(i))
  }

  get size (): number { return this.#slots.length }

  /** The worker with the fewest agents. */
  leastLoaded (): number {
    let best = 0
    this.#slots.forEach((s, i) => { if (s.agents.size < this.#slots[best].agents.size) best = i })
    return best
  }

  agentsOn (index: number): string[] { return [...this.#slots[index].agents] }

  async load (index: number, agent: string, gluePath: string, modules: Record<string, WebAssembly.Module>, caps: string[], memoryMb: number, state?: Uint8Array): Promise<void> {
    const slot = this.#slots[index]
    slot.agents.add(agent)
    const key = `${gluePath}:${memoryMb}`
    const send = !slot.modules.has(key)
    slot.modules.add(key)
    const r = await this.#request(index, { op: 'load', req: 0, agent, gluePath, caps, memoryMb, state, ...(send ? { modules } : {}) })
    if (r.op === 'done' && r.error !== undefined) {
      this.#slots[index].agents.delete(agent)
      throw new Error(r.error)
    }
  }

  async deliver (index: number, agent: string, batch: Envelope[], deadlineMs: number): Promise<Delivered> {
    const slot = this.#slots[index]
    let timer: NodeJS.Timeout | undefined
    // The deadline runs from when the worker starts this batch: now, or as soon as the answer
    // to the one ahead of it arrives (#onMessage), since the worker goes straight on to it.
    const entry: Pending = {
      resolve: () => {},
      reject: () => {},
      running: false,
      start: () => {
        entry.running = true
        timer = setTimeout(() => this.replace(index, `agent "${agent}" ran past its ${deadlineMs} ms deadline`), deadlineMs)
      }
    }
    slot.deliveries.push(entry)
    if (slot.deliveries.length === 1) entry.start?.()
    try {
      return await this.#request(index, { op: 'deliver', req: 0, agent, batch }, entry) as Delivered & FromWorker
    } finally {
      clearTimeout(timer)
    }
  }

  async snapshot (index: number, agent: string): Promise<Uint8Array | undefined> {
    const r = await this.#request(index, { op: 'snapshot', req: 0, agent })
    if (r.op === 'snapshot' && r.error !== undefined) throw new Error(r.error)
    return r.op === 'snapshot' ? r.state : undefined
  }

  async unload (index: number, agent: string): Promise<void> {
    this.#slots[index].agents.delete(agent)
    await this.#request(index, { op: 'unload', req: 0, agent }).catch(() => {})
  }

  /** Terminates a worker and starts a fresh one at the same index; its agents must be reloaded. */
  replace (index: number, reason: string): void {
    if (this.#stopping) return
    const old = this.#slots[index]
    const agents = [...old.agents]
    this.#slots[index] = this.#spawn(index)
    void old.worker.terminate()
    old.replyPort.close()
    for (const p of old.pending.values()) p.reject(new WorkerLostError(index, reason, agents, p.running))
    old.pending.clear()
    this.#init.onReplaced?.(index, reason, agents)
  }

  async stop (): Promise<void> {
    this.#stopping = true
    await Promise.all(this.#slots.map(async (s, i) => {
      for (const p of s.pending.values()) p.reject(new WorkerLostError(i, 'the node is stopping', [...s.agents]))
      s.pending.clear()
      s.replyPort.close()
      await s.worker.terminate()
    }))
  }

  async #request (index: number, msg: ToWorker, entry: Pending = { resolve: () => {}, reject: () => {}, running: true }): Promise<FromWorker> {
    const slot = this.#slots[index]
    const req = ++this.#req
    return await new Promise((resolve, reject) => {
      entry.resolve = resolve
      entry.reject = reject
      slot.pending.set(req, entry)
      slot.worker.postMessage({ ...msg, req })
    })
  }

  #spawn (index: number): Slot {
    const flag = new Int32Array(new SharedArrayBuffer(4))
    const { port1, port2 } = new MessageChannel()
    const worker = new Worker(WORKER_URL, {
      workerData: { flag: flag.buffer, replyPort: port2 },
      transferList: [port2],
      // A young generation as large as Node's default: a small one makes every batch pay for scavenges.
      resourceLimits: { maxOldGenerationSizeMb: this.#init.maxHeapMb ?? 512, maxYoungGenerationSizeMb: 48 }
    })
    const slot: Slot = { worker, flag, replyPort: port1, pending: new Map(), deliveries: [], agents: new Set(), modules: new Set() }
    worker.on('message', (m: FromWorker) => this.#onMessage(slot, m))
    worker.on('error', (err) => { if (this.#slots[index] === slot) this.replace(index, `worker crashed: ${err.message}`) })
    worker.on('exit', (code) => {
      if (!this.#stopping && this.#slots[index] === slot) this.replace(index, `worker exited with code ${code}`)
    })
    return slot
  }

  #onMessage (slot: Slot, m: FromWorker): void {
    switch (m.op) {
      case 'host':
        this.#init.onHostCall(m.agent, m.fn as HostCallName, m.args).then(
          (ok) => this.#reply(slot, { ok }),
          (err) => this.#reply(slot, { err: this.#init.errorText(err) }))
        return
      case 'log':
        this.#init.onLog(m.agent, m.level, m.message)
        return
      default: {
        const p = slot.pending.get(m.req)
        slot.pending.delete(m.req)
        if (p !== undefined && m.op === 'delivered') {
          slot.deliveries.splice(slot.deliveries.indexOf(p), 1)
          slot.deliveries[0]?.start?.()
        }
        p?.resolve(m)
      }
    }
  }

  #reply (slot: Slot, reply: HostReply): void {
    slot.replyPort.postMessage(reply)
    Atomics.store(slot.flag, 0, 1)
    Atomics.notify(slot.flag, 0)
  }
}
