/**
 * A small typed event bus, shared by the kernel and the mesh (events are tagged by a
 * namespaced `name`, e.g. 'kernel:agent:started', 'mesh:peer:dead'): listeners for the hot path, an AsyncIterable for the TUI and
 * telemetry (buffered, so a slow reader misses nothing; it ends when the signal aborts).
 */
export class EventBus<E extends { name: string }> {
  readonly #listeners = new Set<(e: E) => void>()
  readonly #onError?: (err: unknown) => void

  constructor (onError?: (err: unknown) => void) {
    this.#onError = onError
  }

  /** Whether anyone listens: hot paths skip building events nobody reads. */
  get active (): boolean { return this.#listeners.size > 0 }

  emit (e: E): void {
    for (const l of this.#listeners) {
      try { l(e) } catch (err) { this.#onError?.(err) }
    }
  }

  on (l: (e: E) => void): () => void {
    this.#listeners.add(l)
    return () => { this.#listeners.delete(l) }
  }

  async * subscribe (options: { signal?: AbortSignal } = {}): AsyncIterable<E> {
    const queue: E[] = []
    let wake: (() => void) | undefined
    const off = this.on((e) => { queue.push(e); wake?.() })
    const onAbort = (): void => wake?.()
    options.signal?.addEventListener('abort', onAbort)
    try {
      while (options.signal?.aborted !== true) {
        if (queue.length === 0) await new Promise<void>((resolve) => { wake = resolve })
        wake = undefined
        while (queue.length > 0) yield queue.shift() as E
      }
    } finally {
      off()
      options.signal?.removeEventListener('abort', onAbort)
    }
  }
}
