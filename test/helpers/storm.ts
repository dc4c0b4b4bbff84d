/**
 * The bookkeeping of a fuzz storm at a node: a steady channel that must keep answering on its
 * first stream all through the storm, and a tally of how the node ended each bad stream.
 */
import type { Connection } from '@libp2p/interface'
import { throwAt, type Ending } from './fuzz.js'

/**
 * A channel opened before the storm and never re-opened: if the node reset it, every later
 * request would fail with E_STREAM_CLOSED.
 */
export class SteadyChannel {
  answers = 0
  readonly failures: string[] = []
  /** `ask(n)` sends request `n` and says whether its answer was the right one. */
  readonly #ask: (n: number) => Promise<{ right: boolean, answer: unknown }>

  constructor (ask: (n: number) => Promise<{ right: boolean, answer: unknown }>) { this.#ask = ask }

  async once (): Promise<void> {
    try {
      const { right, answer } = await this.#ask(this.answers)
      if (right) this.answers++
      else this.failures.push(`wrong answer ${JSON.stringify(answer)}`)
    } catch (err) {
      this.failures.push(`${(err as { code?: string }).code ?? ''} ${(err as Error).message}`)
    }
  }

  /**
   * Runs `storm` while asking over the channel again and again, until the storm ends or the
   * first failure (a dead channel fails at once, and would spin).
   */
  async during (storm: () => Promise<void>): Promise<void> {
    let storming = true
    const loop = (async () => { while (storming && this.failures.length === 0) await this.once() })()
    try {
      await storm()
    } finally {
      storming = false
      await loop
    }
  }
}

/** How the node ended each stream thrown at it. */
export class Tally {
  readonly endings: Record<Ending, number> = { refused: 0, reset: 0, closed: 0, dropped: 0, lingering: 0 }
  /** Malformed cases the node did not reset. */
  readonly notReset: string[] = []
  thrown = 0

  /** Throws one case; a malformed one stays open on our side: the node must reset it on what it read. */
  async throw (conn: Connection, protocol: string, { payload, malformed }: { payload: Uint8Array, malformed: boolean }): Promise<void> {
    const { ending } = await throwAt(conn, protocol, payload, { closeWrite: !malformed })
    this.endings[ending]++
    if (malformed && ending !== 'reset') this.notReset.push(`${protocol} ${ending}: ${Buffer.from(payload.subarray(0, 24)).toString('hex')}`)
    this.thrown++
  }

  /** What must hold after each batch: the steady channel never failed, and the node itself ended every stream without dropping the connection. */
  verdict (steady: SteadyChannel): { got: object, want: object } {
    return {
      got: { steadyFailures: steady.failures, dropped: this.endings.dropped, lingering: this.endings.lingering },
      want: { steadyFailures: [], dropped: 0, lingering: 0 }
    }
  }
}
