/**
 * The calling half of one stream: events arrive from the connection and wait here until the
 * consumer's `for await` takes them. The handler may send `window` events ahead; each half
 * window the consumer takes is granted back as credit, so at most one window ever waits here
 * and a slow consumer slows the producer. Leaving the loop early (break, throw, abort) cancels
 * the stream on the other side.
 */
import { AbortedError } from '../errors.js'
import { BadFrameError } from './errors.js'

export interface IncomingStreamParts {
  /** Events the handler may send before it hears from us. */
  window: number
  /** Grants `n` more events of credit. */
  grant: (n: number) => void
  /** Tells the handler we stopped listening. */
  cancel: () => void
  /** Forgets the stream (its id answers nothing more). */
  done: () => void
}

export class IncomingStream {
  readonly #p: IncomingStreamParts
  readonly #queue: unknown[] = []
  #ended = false
  #failure?: Error
  #wake?: () => void

  constructor (parts: IncomingStreamParts) {
    this.#p = parts
  }

  /** One event from the handler. More than the credit given is a broken peer: the stream fails. */
  push (value: unknown): void {
    if (this.#ended || this.#failure !== undefined) return
    if (this.#queue.length >= this.#p.window) {
      this.fail(new BadFrameError(`The stream sent more than its ${this.#p.window} events of credit.`))
      return
    }
    this.#queue.push(value)
    this.#wake?.()
  }

  end (): void {
    this.#ended = true
    this.#wake?.()
  }

  fail (err: Error): void {
    this.#failure ??= err
    this.#wake?.()
  }

  /** The events, as the consumer takes them. */
  async * events (signal?: AbortSignal): AsyncGenerator<unknown, void, undefined> {
    const poke = (): void => { this.#wake?.() }
    signal?.addEventListener('abort', poke)
    let taken = 0
    try {
      while (true) {
        if (signal?.aborted === true) throw new AbortedError('Aborted.', { cause: signal.reason })
        if (this.#queue.length > 0) {
          const value = this.#queue.shift()
          if (++taken >= Math.ceil(this.#p.window / 2)) {
            this.#p.grant(taken)
            taken = 0
          }
          yield value
          continue
        }
        if (this.#failure !== undefined) throw this.#failure
        if (this.#ended) return
        await new Promise<void>((resolve) => { this.#wake = resolve })
        this.#wake = undefined
      }
    } finally {
      signal?.removeEventListener('abort', poke)
      this.#p.done()
      // after an error the handler is done already: a cancel for a finished id is ignored
      if (!this.#ended) this.#p.cancel()
    }
  }
}
