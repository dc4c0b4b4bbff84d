import type { Kernel } from '../kernel/index.js'
import type { LogLine } from '../types/index.js'

/** The last lines of each agent's log (its `log` calls, failures, restarts), for `agent logs`. */
export class AgentLogs {
  readonly #lines = new Map<string, LogLine[]>()
  readonly #listeners = new Set<(l: LogLine) => void>()
  #seq = 0

  constructor (kernel: Kernel, private readonly keep = 1000) {
    kernel.events.on((e) => {
      if (e.name === 'kernel:agent:log') this.#add(e.agent, e.level, e.message)
      if (e.name === 'kernel:agent:failed') this.#add(e.agent, 'error', `failed: ${e.reason}${e.willRestart ? ' (restarting)' : ''}`)
      if (e.name === 'kernel:agent:started') this.#add(e.agent, 'info', `started on worker ${e.worker}${e.restored ? ' from its checkpoint' : ''}`)
    })
  }

  #add (agent: string, level: string, message: string): void {
    const line = { seq: ++this.#seq, ts: Date.now(), agent, level, message }
    const list = this.#lines.get(agent) ?? []
    list.push(line)
    if (list.length > this.keep) list.shift()
    this.#lines.set(agent, list)
    for (const l of this.#listeners) l(line)
  }

  get (agent: string, after = 0): LogLine[] { return (this.#lines.get(agent) ?? []).filter((l) => l.seq > after) }

  /**
   * The lines after `after`, then each new one as it is logged, until `signal` aborts. A
   * follower that reads slowly holds only its place (a sequence number), never a queue of its
   * own: lines past what the node keeps are gone for it too.
   */
  async * follow (agent: string, after: number, signal: AbortSignal): AsyncGenerator<LogLine, void, undefined> {
    let last = after
    while (!signal.aborted) {
      const lines = this.get(agent, last)
      for (const l of lines) {
        last = l.seq
        yield l
      }
      if (lines.length === 0) await this.#next(agent, signal)
    }
  }

  /** Resolves at the next line of `agent`, or when `signal` aborts. */
  #next (agent: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#listeners.delete(listener)
        signal.removeEventListener('abort', done)
        resolve()
      }
      const listener = (l: LogLine): void => { if (l.agent === agent) done() }
      this.#listeners.add(listener)
      signal.addEventListener('abort', done, { once: true })
    })
  }
}
