/**
 * The answering half of a channel: runs the handler for each request the other side sends,
 * concurrently, and writes its answer, its error, or (for a stream) its events within the
 * credit the caller grants. A cancel aborts the handler's signal; so does the connection
 * closing. At most `maxConcurrent` calls and notifications run at once: beyond that the
 * connection stops being read, which pushes back on the sender. Streams do not count there
 * (a long `logs --follow` must not hold a slot, and must not keep cancels and credit from
 * being read); they are capped by `maxStreams` instead, and each holds at most one window.
 */
import type { z } from 'zod'
import { MielinError } from '../errors.js'
import type { Logger } from '../logger.js'
import { BadFrameError, errorBody, RpcProtocolError, TooManyStreamsError } from './errors.js'
import { parseFrame } from './frame-schema.js'
import type { FrameStream } from './frame-stream.js'

/** Why a handler runs: a call (one answer), a stream (events), a notification (no answer). */
export type HandlerKind = 'request' | 'stream' | 'notify'

/**
 * Handles one request body. The return value is the answer (nothing means `{}`); an
 * AsyncIterable return value makes it a stream, whose values are sent as its events.
 */
export type Handler<Req, Ctx> = (body: Req, ctx: Ctx) => unknown

export interface HandlerEntry<Req, Ctx> {
  schema: z.ZodType<Req>
  // a method, not a property: an entry for one request type stands in for `HandlerEntry<unknown>`
  // (its schema guarantees the type its handler takes)
  handler (body: Req, ctx: Ctx): unknown
}

export interface ResponderParts<Ctx> {
  fs: FrameStream
  /** Names the protocol in errors and log lines. */
  label: string
  /** The handler, looked up per request (a later registration takes effect). */
  handler: () => HandlerEntry<unknown, Ctx> | undefined
  /** The context handed to a handler. */
  context: (kind: HandlerKind, signal: AbortSignal) => Ctx
  maxConcurrent: number
  maxStreams: number
  logger?: Logger
  /** Called when the last running handler is done. */
  onIdle: () => void
}

interface Inflight {
  ac: AbortController
  stream: boolean
  /** Stream events that may still be sent before the caller grants more. */
  credit: number
  wake?: () => void
}

const isAsyncIterable = (v: unknown): v is AsyncIterable<unknown> =>
  typeof v === 'object' && v !== null && typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'

export class Responder<Ctx> {
  readonly #p: ResponderParts<Ctx>
  readonly #inflight = new Map<number, Inflight>()
  /** One signal for every notification handler: aborted when the connection closes. */
  readonly #notifications = new AbortController()
  #running = 0 // calls and notifications
  #streams = 0

  constructor (parts: ResponderParts<Ctx>) {
    this.#p = parts
  }

  /** Whether a handler is still running. */
  get busy (): boolean { return this.#running > 0 || this.#streams > 0 }

  /** A request: a call, or with a window of credit a stream. */
  request (id: number, raw: unknown, window?: number): void {
    const { fs } = this.#p
    if (this.#inflight.has(id)) { fs.fail(new BadFrameError(`frame.id: ${id} is already used by a request in progress.`, 'frame.id')); return }
    const entry = this.#p.handler()
    if (entry === undefined) {
      void fs.write({ k: 'e', id, e: { code: 'E_PROTOCOL_UNSUPPORTED', message: `No handler for ${this.#p.label} on this node.`, suggestions: [], exitCode: 4 } }).catch(() => {})
      return
    }
    const body = this.#parse(entry, raw)
    if (body === BAD) return
    if (window !== undefined && this.#streams >= this.#p.maxStreams) {
      const err = new TooManyStreamsError(`This connection already has ${this.#p.maxStreams} streams open.`, undefined, { suggestions: ['End a stream (stop following), then try again.'] })
      void fs.write({ k: 'e', id, e: errorBody(err, this.#p.label) }).catch(() => {})
      return
    }
    const inflight: Inflight = { ac: new AbortController(), stream: window !== undefined, credit: window ?? 0 }
    this.#inflight.set(id, inflight)
    if (window !== undefined) this.#streams++
    else this.#take()
    void this.#run(id, entry, body, inflight, window !== undefined).finally(() => {
      this.#inflight.delete(id)
      if (window === undefined) { this.#release(); return }
      this.#streams--
      if (!this.busy) this.#p.onIdle()
    })
  }

  /** A notification: handled like a call, answered never. */
  notify (raw: unknown): void {
    const entry = this.#p.handler()
    if (entry === undefined) return
    const body = this.#parse(entry, raw)
    if (body === BAD) return
    this.#take()
    void Promise.resolve()
      .then(() => entry.handler(body, this.#p.context('notify', this.#notifications.signal)))
      .catch((err: unknown) => { this.#logFailure(err) })
      .finally(() => { this.#release() })
  }

  /** The caller gave up on request `id`. */
  cancel (id: number): void {
    this.#inflight.get(id)?.ac.abort()
  }

  /** The caller's consumer took events of stream `id`: `n` more may be sent. */
  credit (id: number, n: number): void {
    const f = this.#inflight.get(id)
    if (f === undefined) return
    f.credit += n
    f.wake?.()
  }

  /** The caller finished writing: it can no longer grant credit, so its streams end (its calls are still answered). */
  callerEnded (): void {
    for (const f of this.#inflight.values()) if (f.stream) f.ac.abort()
  }

  /** The connection is gone: every handler is aborted. */
  closed (): void {
    this.#notifications.abort()
    for (const f of this.#inflight.values()) f.ac.abort()
  }

  #parse (entry: HandlerEntry<unknown, Ctx>, raw: unknown): unknown {
    try {
      return parseFrame(entry.schema, raw, 'frame.b')
    } catch (err) {
      this.#p.fs.fail(err as Error)
      return BAD
    }
  }

  #take (): void {
    if (++this.#running >= this.#p.maxConcurrent) this.#p.fs.pause()
  }

  #release (): void {
    if (--this.#running < this.#p.maxConcurrent) this.#p.fs.resume()
    if (!this.busy) this.#p.onIdle()
  }

  async #run (id: number, entry: HandlerEntry<unknown, Ctx>, body: unknown, inflight: Inflight, streamed: boolean): Promise<void> {
    const { fs, label } = this.#p
    const signal = inflight.ac.signal
    try {
      const out = await entry.handler(body, this.#p.context(streamed ? 'stream' : 'request', signal))
      if (isAsyncIterable(out) !== streamed) {
        if (isAsyncIterable(out)) closeIterator(out[Symbol.asyncIterator]())
        throw streamed
          ? new RpcProtocolError(`This ${label} method answers once: use call(), not stream().`)
          : new RpcProtocolError(`This ${label} method is a stream: use stream(), not call().`)
      }
      if (isAsyncIterable(out)) await this.#pipe(id, out, inflight)
      else if (!signal.aborted) await fs.write({ k: 's', id, b: out === undefined ? {} : out })
    } catch (err) {
      // cancelled, or the connection is gone: nobody waits for an answer
      if (signal.aborted) { this.#p.logger?.(`${label} handler ended by a cancel: ${(err as Error)?.message ?? String(err)}`); return }
      this.#logFailure(err)
      // an answer too big for the frame limit becomes an error answer; a closed stream ends here
      await fs.write({ k: 'e', id, e: errorBody(err, label) }).catch(() => {})
    }
  }

  /** Sends a stream's events within the caller's credit, then its end. */
  async #pipe (id: number, events: AsyncIterable<unknown>, f: Inflight): Promise<void> {
    const { fs } = this.#p
    const signal = f.ac.signal
    const aborted = new Promise<undefined>((resolve) => { signal.addEventListener('abort', () => resolve(undefined), { once: true }) })
    const it = events[Symbol.asyncIterator]()
    let finished = false
    try {
      while (!signal.aborted) {
        if (f.credit <= 0) {
          await Promise.race([new Promise<void>((resolve) => { f.wake = resolve }), aborted])
          f.wake = undefined
          continue
        }
        const next = Promise.resolve(it.next())
        // a stream that ignores its signal must not keep a cancelled request alive
        next.catch(() => {})
        const r = await Promise.race([next, aborted])
        if (r === undefined) break
        if (r.done === true) { finished = true; break }
        f.credit--
        await fs.write({ k: 'v', id, b: r.value === undefined ? null : r.value })
      }
      if (!signal.aborted) await fs.write({ k: 'd', id })
    } finally {
      if (!finished) closeIterator(it)
    }
  }

  #logFailure (err: unknown): void {
    // a MielinError is the caller's to read; anything else is a bug, for the node's log
    if (!(err instanceof MielinError)) this.#p.logger?.error(`${this.#p.label} handler failed: ${(err as Error)?.stack ?? String(err)}`)
  }
}

const BAD = Symbol('bad body')

/** Tells an event source we stopped reading it, without waiting (it may be stuck in an await). */
function closeIterator (it: AsyncIterator<unknown>): void {
  try {
    if (it.return !== undefined) void Promise.resolve(it.return()).catch(() => {})
  } catch {
    // a source that fails while closing has nothing left to tell anyone
  }
}
