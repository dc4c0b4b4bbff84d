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
   * Lines after `after`; when there are none yet, the first ones to come within `waitMs` (a
   * long poll: a follower on another node asks again at once, and sees each line as it comes).
   */
  async wait (agent: string, after: number, waitMs: number, signal?: AbortSignal): Promise<LogLine[]> {
    const lines = this.get(agent, after)
    if (lines.length > 0 || waitMs <= 0 || signal?.aborted === true) return lines
    return await new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.#listeners.delete(listener)
        signal?.removeEventListener('abort', done)
        resolve(this.get(agent, after))
      }
      const listener = (l: LogLine): void => { if (l.agent === agent) done() }
      const timer = setTimeout(done, waitMs)
      this.#listeners.add(listener)
      signal?.addEventListener('abort', done, { once: true })
    })
  }
}
