import { MailboxFullError } from './errors.js'
import type { Envelope } from '../types/index.js'

/**
 * A bounded FIFO of envelopes. One queue keeps every sender's messages in the order they
 * were sent (per-sender FIFO). When full, `push` refuses with E_MAILBOX_FULL so the
 * sender feels the backpressure instead of the node growing without bound.
 */
export class Mailbox {
  readonly #items: Envelope[] = []
  #head = 0

  constructor (readonly capacity: number, private readonly owner: string) {}

  get size (): number { return this.#items.length - this.#head }

  push (e: Envelope): void {
    if (this.size >= this.capacity) {
      throw new MailboxFullError(`The mailbox of agent "${this.owner}" is full (${this.capacity} messages waiting).`, undefined, {
        suggestions: ['Retry after a short wait, send less often, or raise limits.mailbox in its mielin.json.']
      })
    }
    this.#items.push(e)
  }

  /** Puts messages back at the front (a batch that was not handled), keeping their order. */
  unshift (batch: Envelope[]): void {
    this.#compact()
    this.#items.unshift(...batch)
  }

  /** Takes up to `max` messages from the front. */
  take (max: number): Envelope[] {
    const out = this.#items.slice(this.#head, this.#head + max)
    this.#head += out.length
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) this.#compact()
    return out
  }

  /** Everything still queued (for snapshots and migration), without removing it. */
  peekAll (): Envelope[] { return this.#items.slice(this.#head) }

  #compact (): void {
    this.#items.splice(0, this.#head)
    this.#head = 0
  }
}
