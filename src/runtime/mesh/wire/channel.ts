/**
 * Pattern (b), the hot path: one long-lived stream per (peer, protocol) carrying many
 * requests and notifications in both directions, correlated by request id:
 *
 * ```
 * { k: 'q', id, b }   request       { k: 's', id, b }   its answer
 * { k: 'n', b }       notification  { k: 'e', id, e }   an error answer { code, message }
 * ```
 *
 * Requests are answered concurrently (out of order); at most `maxConcurrent` handlers run
 * per stream, beyond that the stream is paused (back-pressure to the sender). Writes wait
 * for drain. An outbound channel re-opens its stream on the next use after it died; the
 * requests in flight on a dead stream fail with E_STREAM_CLOSED (they may or may not have
 * been handled: callers that need exactly-once retry with their own sequence numbers).
 */
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { Logger } from '../../logger.js'
import { AbortedError, MielinError } from '../../errors.js'
import { BadFrameError, MeshTimeoutError, RemoteError, StreamClosedError, toRemoteErrorInfo, type RemoteErrorInfo } from '../errors.js'
import { FrameStream } from './frame-stream.js'
import { errorInfoSchema } from './rpc.js'
import { schema, type Frame, type Schema } from './schema.js'

export interface ChannelContext {
  peer: PeerId
  connection: Connection
  protocol: string
  /** The channel the frame came on: answer back or push notifications on it. */
  channel: Channel
  kind: 'request' | 'notify'
}

/** Handles one request (its return value is the answer, nothing means `{}`) or notification (return ignored). */
export type ChannelHandler<Req> = (frame: Req, ctx: ChannelContext) => Promise<object | undefined | void> | object | undefined | void

export interface ChannelHandlerEntry<Req = unknown> {
  schema: Schema<Req>
  handler: ChannelHandler<Req>
}

export interface ChannelOptions {
  /** Largest frame, in bytes. @default 1 MiB */
  maxFrameBytes?: number
  /** Default time a request waits for its answer. @default 30000 */
  requestTimeoutMs?: number
  /** Handlers running at once on one stream before it is paused. @default 128 */
  maxConcurrent?: number
  logger?: Logger
}

export interface ChannelInit extends ChannelOptions {
  protocol: string
  /** The remote peer, for messages. */
  peer: string
  /** Opens a fresh stream (outbound channels). Without it the channel ends with its stream. */
  open?: () => Promise<{ stream: Stream, connection: Connection }>
  /** Finds the handler for frames the other side sends us (looked up per frame). */
  handler?: () => ChannelHandlerEntry | undefined
}

export interface ChannelRequestOptions<T> {
  signal?: AbortSignal
  /** @default the channel's requestTimeoutMs */
  timeoutMs?: number
  /** Checks the answer. @default any JSON object */
  schema?: Schema<T>
}

interface Pending {
  resolve: (v: unknown) => void
  reject: (err: Error) => void
  schema: Schema<unknown>
}

interface Attachment {
  fs: FrameStream
  connection: Connection
  pending: Map<number, Pending>
  running: number
  /** The peer finished writing: close when the last running handler has answered. */
  closing: boolean
}

const objectOnly: Schema<Frame> = {
  parse: (v, path = 'frame') => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BadFrameError(`${path}: expected an object.`, path)
    return v as Frame
  }
}

const envelopeSchema = schema.object({
  k: schema.oneOf(['q', 's', 'e', 'n']),
  id: schema.optional(schema.integer({ min: 0 })),
  b: schema.optional(objectOnly),
  e: schema.optional(errorInfoSchema)
})

const anyFrame = schema.frame() as Schema<unknown>

/** Waits for `promise`, or rejects with AbortedError when `signal` fires first. */
export async function raceSignal<T> (promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return await promise
  if (signal.aborted) throw new AbortedError('Aborted.', { cause: signal.reason })
  let onAbort: (() => void) | undefined
  try {
    return await Promise.race([promise, new Promise<never>((_resolve, reject) => {
      onAbort = () => { reject(new AbortedError('Aborted.', { cause: signal.reason })) }
      signal.addEventListener('abort', onAbort, { once: true })
    })])
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort)
  }
}

export class Channel {
  readonly protocol: string
  readonly peer: string
  readonly #init: ChannelInit
  readonly #maxFrameBytes?: number
  readonly #timeoutMs: number
  readonly #maxConcurrent: number
  #att?: Attachment
  #opening?: Promise<Attachment>
  #nextId = 1
  #closed = false

  constructor (init: ChannelInit, attached?: { stream: Stream, connection: Connection }) {
    this.#init = init
    this.protocol = init.protocol
    this.peer = init.peer
    this.#maxFrameBytes = init.maxFrameBytes
    this.#timeoutMs = init.requestTimeoutMs ?? 30_000
    this.#maxConcurrent = init.maxConcurrent ?? 128
    if (attached !== undefined) this.#att = this.#attach(attached.stream, attached.connection)
  }

  /** Whether a live stream is attached now (an outbound channel opens one on demand). */
  get open (): boolean { return this.#att !== undefined && this.#att.fs.open }
  /** Requests sent and not yet answered. */
  get inFlight (): number { return this.#att?.pending.size ?? 0 }
  /** Frames waiting for the stream to drain. */
  get backlog (): number { return this.#att?.fs.writeBacklog ?? 0 }

  /** Sends a request and waits for its answer, correlated by id. */
  async request<T = Frame> (frame: object, options: ChannelRequestOptions<T> = {}): Promise<T> {
    const { signal } = options
    if (signal?.aborted === true) throw new AbortedError('Aborted.', { cause: signal.reason })
    const att = await this.#ready(signal)
    const id = this.#nextId++
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs
    return await new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      const done = (): void => {
        att.pending.delete(id)
        if (timer !== undefined) clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
      }
      const onAbort = (): void => { done(); reject(new AbortedError('Aborted.', { cause: signal?.reason })) }
      att.pending.set(id, {
        resolve: (v) => { done(); resolve(v as T) },
        reject: (e) => { done(); reject(e) },
        schema: (options.schema ?? anyFrame) as Schema<unknown>
      })
      signal?.addEventListener('abort', onAbort, { once: true })
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          done()
          reject(new MeshTimeoutError(`${this.peer} did not answer ${this.protocol} within ${timeoutMs} ms.`, undefined, {
            suggestions: ['Check that the node is alive (mielin mesh status) and not overloaded.']
          }))
        }, timeoutMs)
      }
      att.fs.write({ k: 'q', id, b: frame }).catch((err: Error) => { att.pending.get(id)?.reject(err) })
    })
  }

  /** Sends a notification (no answer). Resolves once the frame is handed to the stream. */
  async notify (frame: object, options: { signal?: AbortSignal } = {}): Promise<void> {
    const att = await this.#ready(options.signal)
    await att.fs.write({ k: 'n', b: frame })
  }

  /** Closes the channel: no re-open; requests in flight fail when the stream ends. */
  async close (): Promise<void> {
    this.#closed = true
    const att = this.#att
    if (att !== undefined) await att.fs.close({ signal: AbortSignal.timeout(2000) })
  }

  /** Resets the stream now (requests in flight fail). An outbound channel may re-open later. */
  abort (err: Error = new StreamClosedError('The channel was reset.')): void {
    this.#att?.fs.fail(err)
  }

  async #ready (signal?: AbortSignal): Promise<Attachment> {
    const att = this.#att
    if (att !== undefined && att.fs.open) return att
    if (this.#closed || this.#init.open === undefined) {
      throw new StreamClosedError(`The ${this.protocol} channel with ${this.peer} is closed.`)
    }
    this.#opening ??= this.#init.open().then(({ stream, connection }) => {
      this.#att = this.#attach(stream, connection)
      return this.#att
    }).finally(() => { this.#opening = undefined })
    return await raceSignal(this.#opening, signal)
  }

  #attach (stream: Stream, connection: Connection): Attachment {
    const fs = new FrameStream(stream, { maxFrameBytes: this.#maxFrameBytes, logger: this.#init.logger })
    const att: Attachment = { fs, connection, pending: new Map(), running: 0, closing: false }
    fs.onFrame((value) => { this.#onFrame(att, value) })
    fs.onEnd((reason) => {
      if (this.#att === att) this.#att = undefined
      const err = reason instanceof StreamClosedError || reason instanceof BadFrameError
        ? new StreamClosedError(`The ${this.protocol} channel with ${this.peer} closed: ${reason.message}`, undefined, { cause: reason })
        : reason
      for (const p of [...att.pending.values()]) p.reject(err)
      // the peer will send nothing more: finish our side once the answers still being made are sent
      att.closing = true
      if (att.running === 0) void fs.close({ signal: AbortSignal.timeout(5000) })
    })
    return att
  }

  #onFrame (att: Attachment, value: unknown): void {
    let env
    try {
      env = envelopeSchema.parse(value)
      if (env.k !== 'n' && env.id === undefined) throw new BadFrameError('frame.id: missing.', 'frame.id')
      if ((env.k === 'q' || env.k === 'n' || env.k === 's') && env.b === undefined) throw new BadFrameError('frame.b: missing.', 'frame.b')
      if (env.k === 'e' && env.e === undefined) throw new BadFrameError('frame.e: missing.', 'frame.e')
    } catch (err) {
      att.fs.fail(err as Error)
      return
    }
    const id = env.id as number
    if (env.k === 's' || env.k === 'e') {
      const p = att.pending.get(id)
      if (p === undefined) return // answered after its timeout or abort
      if (env.k === 'e') { p.reject(new RemoteError(this.peer, env.e as RemoteErrorInfo)); return }
      let body: unknown
      try {
        body = p.schema.parse(env.b, 'frame.b')
      } catch (err) {
        p.reject(err as Error)
        att.fs.fail(err as Error)
        return
      }
      p.resolve(body)
      return
    }
    this.#serve(att, env.k, id, env.b as Frame)
  }

  #serve (att: Attachment, k: 'q' | 'n', id: number, raw: Frame): void {
    const entry = this.#init.handler?.()
    if (entry === undefined) {
      if (k === 'q') void att.fs.write({ k: 'e', id, e: { code: 'E_PROTOCOL_UNSUPPORTED', message: `No handler for ${this.protocol} on this node.` } }).catch(() => {})
      return
    }
    let body: unknown
    try {
      body = entry.schema.parse(raw, 'frame.b')
    } catch (err) {
      att.fs.fail(err as Error)
      return
    }
    if (++att.running >= this.#maxConcurrent) att.fs.pause()
    const ctx: ChannelContext = { peer: att.connection.remotePeer, connection: att.connection, protocol: this.protocol, channel: this, kind: k === 'q' ? 'request' : 'notify' }
    Promise.resolve()
      .then(() => entry.handler(body, ctx))
      .then((out) => {
        if (k === 'q') return att.fs.write({ k: 's', id, b: out ?? {} })
      }, (err: unknown) => {
        if (!(err instanceof MielinError)) this.#init.logger?.error(`${this.protocol} handler failed: ${(err as Error)?.stack ?? String(err)}`)
        if (k === 'q') return att.fs.write({ k: 'e', id, e: toRemoteErrorInfo(err) })
      })
      .catch((err: Error) => {
        // the answer could not be sent: too big (tell the asker) or the stream is gone
        if (err instanceof BadFrameError && k === 'q') void att.fs.write({ k: 'e', id, e: toRemoteErrorInfo(err) }).catch(() => {})
      })
      .finally(() => {
        if (--att.running < this.#maxConcurrent) att.fs.resume()
        if (att.closing && att.running === 0) void att.fs.close({ signal: AbortSignal.timeout(5000) })
      })
  }
}
