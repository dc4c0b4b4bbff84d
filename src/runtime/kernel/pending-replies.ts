/**
 * Requests from outside clients waiting for their agent's reply. Both routing (which sends the
 * request and takes a reply from another kernel) and replies (which answer it) settle them.
 */

interface Pending { resolve: (r: string | undefined) => void, reject: (e: Error) => void, timer?: NodeJS.Timeout }

/**
 * Requests from outside clients waiting for their agent's reply, by request id. Each settles
 * once: with the reply, with an error, on its timeout, or when the node stops.
 */
export class PendingReplies {
  readonly #pending = new Map<string, Pending>()

  has (id: string): boolean { return this.#pending.has(id) }

  /** Waits for the reply to request `id`; `onTimeout` makes the error after `timeoutMs`. */
  wait (id: string, timeoutMs: number | undefined, onTimeout: () => Error): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const p: Pending = { resolve, reject }
      if (timeoutMs !== undefined) p.timer = setTimeout(() => this.settle(id, undefined, onTimeout()), timeoutMs)
      this.#pending.set(id, p)
    })
  }

  /** Settles a request; a JSON `null` reply means "no reply". Unknown ids are ignored. */
  settle (id: string, payload: string | undefined, err?: Error): void {
    const p = this.#pending.get(id)
    if (p === undefined) return
    this.#pending.delete(id)
    clearTimeout(p.timer)
    if (err !== undefined) p.reject(err)
    else p.resolve(payload === 'null' ? undefined : payload)
  }

  rejectAll (err: Error): void {
    for (const id of [...this.#pending.keys()]) this.settle(id, undefined, err)
  }
}
