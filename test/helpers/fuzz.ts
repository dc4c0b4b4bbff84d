/**
 * Tools for throwing bad frames at a node: a seeded generator (so a failure can be replayed
 * with FUZZ_SEED) and `throwAt`, which sends one payload on a fresh stream and reports how the
 * node ended that stream. Anything other than what a node may do to a bad stream (refuse it,
 * reset it, answer and close it) is thrown, so a fuzz test cannot hide a failure.
 */
import type { Connection, Stream } from '@libp2p/interface'

export interface Rng {
  rand: () => number
  int: (n: number) => number
  pick: <T>(xs: readonly T[]) => T
  bytes: (n: number) => Uint8Array
}

/** A seeded generator (mulberry32). */
export function rng (seed: number): Rng {
  let s = seed
  const rand = (): number => {
    s = (s + 0x6d2b79f5) | 0
    let x = Math.imul(s ^ (s >>> 15), 1 | s)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number): number => Math.floor(rand() * n)
  return {
    rand,
    int,
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)],
    bytes: (n: number): Uint8Array => { const b = Buffer.allocUnsafe(n); for (let i = 0; i < n; i++) b[i] = int(256); return b }
  }
}

export const varint = (n: number): number[] => { const out: number[] = []; while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128) } out.push(n); return out }
/** `body` behind a length prefix, whatever it holds. */
export const framed = (body: Uint8Array): Uint8Array => Buffer.concat([Uint8Array.from(varint(body.byteLength)), body])

/**
 * How the node ended one bad stream:
 * - `refused`: at negotiation, before any byte reached a handler (a stream limit);
 * - `reset`: the node reset this stream (a bad frame, or no valid request);
 * - `closed`: the node closed it cleanly (it answered, or the frames were valid);
 * - `dropped`: the whole connection closed under it (right only for a failed admission);
 * - `lingering`: none of these within the wait (the stream is then aborted here).
 */
export type Ending = 'refused' | 'reset' | 'closed' | 'dropped' | 'lingering'

export interface Thrown {
  ending: Ending
  /** Bytes the node sent back before the end. */
  answered: number
}

/** What libp2p raises on our side when the node refuses a stream at negotiation (a reset, or an end before the protocol was agreed). */
const REFUSALS = new Set(['StreamResetError', 'UnexpectedEOFError', 'TooManyOutboundProtocolStreamsError'])

export interface ThrowOptions {
  /**
   * Close our writing end after the payload. Without it the node must end the stream on what
   * it read alone (it cannot wait for more). @default true
   */
  closeWrite?: boolean
  /** How long the node may take to end the stream. @default 3000 */
  waitMs?: number
}

/** Sends `payload` on a fresh stream of `protocol` and waits for the node to end that stream. */
export async function throwAt (conn: Connection, protocol: string, payload: Uint8Array, options: ThrowOptions = {}): Promise<Thrown> {
  let stream: Stream
  try {
    stream = await conn.newStream(protocol, { signal: AbortSignal.timeout(5000) })
  } catch (err) {
    if (conn.status !== 'open') return { ending: 'dropped', answered: 0 }
    if (REFUSALS.has((err as Error).name)) return { ending: 'refused', answered: 0 }
    throw err
  }
  let answered = 0
  stream.addEventListener('message', (evt) => { answered += evt.data.byteLength })
  const ended = new Promise<Ending>((resolve) => {
    stream.addEventListener('close', (evt) => { resolve(evt.error === undefined ? 'closed' : conn.status !== 'open' ? 'dropped' : 'reset') }, { once: true })
  })
  try {
    if (!stream.send(payload)) await stream.onDrain({ signal: AbortSignal.timeout(5000) })
    if (options.closeWrite ?? true) await stream.close({ signal: AbortSignal.timeout(5000) })
  } catch (err) {
    // the node may reset the stream (or drop the connection) while we are still sending
    if (stream.status !== 'reset' && conn.status === 'open') throw err
  }
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<Ending>((resolve) => { timer = setTimeout(() => { resolve('lingering') }, options.waitMs ?? 3000) })
  const ending = await Promise.race([ended, late])
  clearTimeout(timer)
  if (ending === 'lingering') stream.abort(new Error('the node neither answered nor reset this stream'))
  return { ending, answered }
}
