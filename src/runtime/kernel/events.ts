/**
 * The kernel's event stream. Every event has a namespaced `name`; `subscribe()` gives an
 * AsyncIterable that ends when the signal aborts (how the TUI and telemetry will listen).
 */
export type KernelEvent =
  | { name: 'kernel:agent:deploying', agent: string }
  | { name: 'kernel:agent:started', agent: string, worker: number, restored: boolean }
  | { name: 'kernel:agent:stopped', agent: string }
  | { name: 'kernel:agent:failed', agent: string, reason: string, willRestart: boolean }
  | { name: 'kernel:agent:migrating', agent: string }
  | { name: 'kernel:agent:log', agent: string, level: string, message: string }
  | { name: 'kernel:message', from: string, to: string, kind: string, id: string }
  | { name: 'kernel:worker:replaced', worker: number, reason: string }
  /** A message an agent sent to an outside client (an id like `cli:…`), for whoever serves it. */
  | { name: 'kernel:outbound', envelope: import('./envelope.js').Envelope }

type Listener = (e: KernelEvent) => void

export class EventBus {
  readonly #listeners = new Set<Listener>()

  /** Whether anyone listens: hot paths skip building events nobody reads. */
  get active (): boolean { return this.#listeners.size > 0 }

  emit (e: KernelEvent): void {
    for (const l of this.#listeners) l(e)
  }

  on (l: Listener): () => void {
    this.#listeners.add(l)
    return () => { this.#listeners.delete(l) }
  }

  /** Events from now on, until `signal` aborts. Buffered, so a slow reader misses nothing. */
  async * subscribe (options: { signal?: AbortSignal } = {}): AsyncIterable<KernelEvent> {
    const queue: KernelEvent[] = []
    let wake: (() => void) | undefined
    const off = this.on((e) => { queue.push(e); wake?.() })
    const onAbort = (): void => wake?.()
    options.signal?.addEventListener('abort', onAbort)
    try {
      while (options.signal?.aborted !== true) {
        if (queue.length === 0) await new Promise<void>((resolve) => { wake = resolve })
        wake = undefined
        while (queue.length > 0) yield queue.shift() as KernelEvent
      }
    } finally {
      off()
      options.signal?.removeEventListener('abort', onAbort)
    }
  }
}
