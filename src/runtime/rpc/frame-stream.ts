/**
 * Frames over one byte connection (a libp2p stream, a Unix socket: see ./duplex.ts):
 * ordered, back-pressured writes and size-checked reads, either pulled one at a time
 * (`read`) or pushed to a callback (`onFrame`, the hot path). A bad frame aborts this
 * connection with a `BadFrameError` and nothing else: errors never escape into the
 * transport's event dispatch.
 */
import type { Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import type { z } from 'zod'
import type { Logger } from '../logger.js'
import { AbortedError } from '../errors.js'
import type { ByteDuplex } from './duplex.js'
import { BadFrameError, StreamClosedError } from './errors.js'
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, decodeJson, encodeFrame } from './codec.js'
import { parseFrame } from './frame-schema.js'
import { isLibp2pStream, libp2pDuplex } from './libp2p-duplex.js'

export interface FrameStreamOptions {
  /** Largest frame body accepted or sent, in bytes. @default 1 MiB */
  maxFrameBytes?: number
  /** Where bad frames are reported. @default silent */
  logger?: Logger
  /** Frames read but not yet consumed before the stream is paused. @default 64 */
  maxQueuedFrames?: number
}

interface PendingWrite { bytes: Uint8Array, resolve: () => void, reject: (err: Error) => void }

const RESOLVED = Promise.resolve()

export class FrameStream {
  /** The connection the frames travel on. */
  readonly stream: ByteDuplex
  readonly maxFrameBytes: number
  readonly #decoder: FrameDecoder
  readonly #log?: Logger
  readonly #maxQueued: number
  #queue: unknown[] = []
  #waiter?: { resolve: (v: unknown) => void, reject: (err: Error) => void }
  #onFrame?: (value: unknown) => void
  #ended?: Error // set once no more frames will come: the reason
  #onEnd?: (reason: Error) => void
  #paused = false // push mode: the consumer asked for no more frames for now
  #writes: PendingWrite[] = []
  #batch: Uint8Array[] = []
  #pumping = false
  #readPaused = false // the duplex was asked to stop reading
  #onClose?: (reason?: Error) => void

  /** Over a ByteDuplex, or a libp2p stream (wrapped in one). */
  constructor (connection: ByteDuplex | Stream, options: FrameStreamOptions = {}) {
    this.stream = isLibp2pStream(connection) ? libp2pDuplex(connection) : connection
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
    this.#decoder = new FrameDecoder(this.maxFrameBytes)
    this.#log = options.logger
    this.#maxQueued = options.maxQueuedFrames ?? 64
    this.stream.listen({
      data: (chunk) => { this.#onData(chunk) },
      end: () => { this.#end(new StreamClosedError('The peer closed the stream.')) },
      close: (err) => {
        this.#end(new StreamClosedError(err === undefined ? 'The stream closed.' : `The stream was reset: ${err.message}`, undefined, { cause: err }))
        this.#onClose?.(err)
      }
    })
  }

  get open (): boolean { return this.stream.writable }

  /** Calls `fn` once the connection is gone both ways (after `onEnd`): nothing can be sent back any more. */
  onClose (fn: (reason?: Error) => void): void {
    this.#onClose = fn
  }

  /** Calls `fn` once when no more frames will come (closed, reset, or a bad frame). */
  onEnd (fn: (reason: Error) => void): void {
    if (this.#ended !== undefined) { fn(this.#ended); return }
    this.#onEnd = fn
  }

  /** Sends one frame. Frames keep their order; the promise waits while the stream asks for drain. */
  write (frame: object): Promise<void> {
    let bytes: Uint8Array
    try {
      bytes = encodeFrame(frame, this.maxFrameBytes)
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
    return this.writeEncoded(bytes)
  }

  /**
   * Sends bytes already made by `encodeFrame` (one encoding, many streams). Frames written in
   * the same tick leave in one `send` (one muxer frame, one TLS record): under load that is
   * most of the throughput.
   */
  writeEncoded (bytes: Uint8Array): Promise<void> {
    if (this.#writes.length === 0 && !this.stream.needsDrain) {
      if (!this.stream.writable) return Promise.reject(new StreamClosedError('The stream is closed for writing.'))
      this.#batch.push(bytes)
      if (this.#batch.length === 1) queueMicrotask(this.#flush)
      return RESOLVED
    }
    return new Promise((resolve, reject) => {
      this.#writes.push({ bytes, resolve, reject })
      if (!this.#pumping) void this.#pump()
    })
  }

  /** Bytes and frames waiting to be sent (for callers that shed load instead of queueing). */
  get writeBacklog (): number { return this.#writes.length + (this.stream.needsDrain ? 1 : 0) }

  readonly #flush = (): void => {
    const batch = this.#batch
    if (batch.length === 0) return
    this.#batch = []
    try {
      this.stream.send(batch.length === 1 ? batch[0] : Buffer.concat(batch))
    } catch (err) {
      // closed meanwhile: these frames are lost, as they would be in flight; readers see the end
      this.#log?.(`${this.stream.label}: ${batch.length} frames not sent (${(err as Error).message})`)
    }
  }

  async #pump (): Promise<void> {
    this.#pumping = true
    try {
      this.#flush()
      while (this.#writes.length > 0) {
        if (this.stream.needsDrain) await this.stream.onDrain()
        // Everything that queued up meanwhile leaves in one send. A QUIC stream asks for a
        // drain after every send (until the native write completes), so one frame per send
        // would cost one native write, and one wait, per frame.
        const ws = this.#writes.splice(0)
        this.stream.send(ws.length === 1 ? (ws[0]).bytes : Buffer.concat(ws.map((w) => w.bytes)))
        for (const w of ws) w.resolve()
      }
    } catch (err) {
      const e = new StreamClosedError('The stream closed while frames were waiting to be sent.', undefined, { cause: err })
      for (const w of this.#writes.splice(0)) w.reject(e)
    } finally {
      this.#pumping = false
    }
  }

  /** Reads the next frame and checks it; a bad frame aborts the stream and rejects. */
  async read<T> (schema: z.ZodType<T>, options: { signal?: AbortSignal } = {}): Promise<T> {
    const value = await this.#next(options.signal)
    try {
      return parseFrame(schema, value)
    } catch (err) {
      this.fail(err as Error)
      throw err
    }
  }

  /** Hands every frame (parsed JSON, not yet schema-checked) to `fn` from now on. */
  onFrame (fn: (value: unknown) => void): void {
    this.#onFrame = fn
    this.#deliver()
  }

  /**
   * Push mode: stops handing frames to the consumer until `resume`; frames already decoded
   * wait here and the stream stops reading (the muxer's window then stops the sender).
   */
  pause (): void {
    this.#paused = true
    this.#pauseReading()
  }

  resume (): void {
    if (!this.#paused) return
    this.#paused = false
    this.#deliver()
  }

  #deliver (): void {
    const fn = this.#onFrame
    if (fn === undefined) return
    while (this.#queue.length > 0 && !this.#paused && this.#ended === undefined) fn(this.#queue.shift())
    if (!this.#paused) this.#resumeIfPaused()
  }

  /** Resets the stream because of `err` (logged); pending reads reject with it. */
  fail (err: Error): void {
    if (err instanceof BadFrameError) this.#log?.(`bad frame on ${this.stream.label}: ${err.message}`)
    else this.#log?.(`${this.stream.label} failed: ${err.message}`)
    this.#end(err)
    this.stream.abort(err)
  }

  /** Closes our writing end after what is queued has gone (the peer may still finish). */
  async close (options: { signal?: AbortSignal } = {}): Promise<void> {
    this.#flush()
    await this.stream.close(options)
  }

  #onData (chunk: Uint8Array | Uint8ArrayList): void {
    if (this.#ended !== undefined) return
    try {
      for (const body of this.#decoder.push(chunk)) {
        const value = decodeJson(body)
        if (this.#onFrame !== undefined && !this.#paused) {
          this.#onFrame(value)
        } else if (this.#waiter !== undefined) {
          const w = this.#waiter
          this.#waiter = undefined
          w.resolve(value)
        } else {
          this.#queue.push(value)
          if (this.#queue.length >= this.#maxQueued) this.#pauseReading()
        }
        if (this.#ended !== undefined) return
      }
    } catch (err) {
      // never let a peer's bytes throw into libp2p's dispatch
      this.fail(err instanceof Error ? err : new Error(String(err)))
    }
  }

  #next (signal?: AbortSignal): Promise<unknown> {
    if (this.#queue.length > 0) {
      const v = this.#queue.shift()
      this.#resumeIfPaused()
      return Promise.resolve(v)
    }
    if (this.#ended !== undefined) return Promise.reject(this.#ended)
    if (signal?.aborted === true) return Promise.reject(new AbortedError('Aborted.', { cause: signal.reason }))
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiter = undefined
        reject(new AbortedError('Aborted.', { cause: signal?.reason }))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#waiter = {
        resolve: (v) => { signal?.removeEventListener('abort', onAbort); resolve(v) },
        reject: (e) => { signal?.removeEventListener('abort', onAbort); reject(e) }
      }
      this.#resumeIfPaused()
    })
  }

  #pauseReading (): void {
    if (this.#readPaused || this.#ended !== undefined) return
    this.#readPaused = true
    this.stream.pause()
  }

  #resumeIfPaused (): void {
    if (this.#readPaused && this.#queue.length < this.#maxQueued) {
      this.#readPaused = false
      this.stream.resume()
    }
  }

  #end (reason: Error): void {
    if (this.#ended !== undefined) return
    if (this.#decoder.buffered > 0 && reason instanceof StreamClosedError) {
      // a peer that stops inside a frame sent a truncated one: as bad as any other bad frame
      this.fail(new BadFrameError(`frame: the stream ended ${this.#decoder.buffered} bytes into a frame.`))
      return
    }
    this.#ended = reason
    const w = this.#waiter
    this.#waiter = undefined
    w?.reject(reason)
    this.#onEnd?.(reason)
  }
}
