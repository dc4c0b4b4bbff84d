/**
 * One long-lived connection carrying many calls, streams and notifications in both
 * directions (the frames are in ./frames.ts), over any ByteDuplex: a libp2p stream between
 * nodes, the Unix control socket. This side's requests and their answers live here; the
 * requests the other side sends are run by ./responder.ts.
 *
 * An outbound channel re-opens its connection on the next use after it died; the requests in
 * flight on a dead connection fail with E_STREAM_CLOSED (they may or may not have been
 * handled: callers that need exactly-once retry with their own sequence numbers).
 */
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { z } from 'zod'
import { throwIfAborted } from '../errors.js'
import type { Logger } from '../logger.js'
import type { ByteDuplex } from './duplex.js'
import { BadFrameError, errorFromBody, StreamClosedError } from './errors.js'
import { FrameStream } from './frame-stream.js'
import { parseEnvelope, type RpcFrame } from './frames.js'
import { call, stream, type Outgoing } from './outgoing.js'
import { raceSignal } from './race-signal.js'
import { Responder, type Handler, type HandlerEntry, type HandlerKind } from './responder.js'

export interface ChannelContext {
  /** Who is at the other end: the peer id on the mesh, the socket path locally. */
  peer: string
  /** The libp2p peer and connection, when the channel runs between nodes. */
  remotePeer?: PeerId
  connection?: Connection
  protocol: string
  /** The channel the request came on: ask back, or push notifications, on it. */
  channel: Channel
  kind: HandlerKind
  /** Aborted when the caller cancels, hangs up, or the channel closes. */
  signal: AbortSignal
}

/**
 * Handles one request body. The return value is the answer (nothing means `{}`); an
 * AsyncIterable return value makes it a stream, whose values are sent as its events.
 */
export type ChannelHandler<Req = unknown> = Handler<Req, ChannelContext>
/** A handler and the schema its request bodies must pass (a body that does not resets the connection). */
export type ChannelHandlerEntry<Req = unknown> = HandlerEntry<Req, ChannelContext>

export interface ChannelOptions {
  /** Largest frame, in bytes. @default 1 MiB */
  maxFrameBytes?: number
  /** Default time a request waits for its answer; 0 waits for ever. @default 30000 */
  requestTimeoutMs?: number
  /** Calls and notifications handled at once before the connection is paused. @default 128 */
  maxConcurrent?: number
  /** Streams the other side may have open at once on this connection. @default 64 */
  maxStreams?: number
  logger?: Logger
}

/** A connection to attach: a ByteDuplex, or a libp2p stream with its connection. */
export interface Attached { stream: ByteDuplex | Stream, connection?: Connection }

export interface ChannelInit extends ChannelOptions {
  /** The protocol, for messages (`/mielin/control/1.0.0`, `control`). */
  protocol: string
  /** The other end, for messages. */
  peer: string
  /** Opens a fresh connection (outbound channels). Without it the channel ends with its connection. */
  open?: () => Promise<Attached>
  /** Finds the handler for requests the other side sends us (looked up per request). */
  handler?: () => ChannelHandlerEntry | undefined
}

export interface ChannelRequestOptions<T> {
  signal?: AbortSignal
  /** @default the channel's requestTimeoutMs */
  timeoutMs?: number
  /** Checks the answer (or each event of a stream). @default any JSON value */
  schema?: z.ZodType<T>
}

export interface ChannelStreamOptions<T> extends Omit<ChannelRequestOptions<T>, 'timeoutMs'> {
  /** Events the handler may send ahead of the consumer. @default 64 */
  window?: number
}

interface Attachment extends Outgoing { responder: Responder<ChannelContext> }

export class Channel {
  readonly protocol: string
  readonly peer: string
  readonly #init: ChannelInit
  readonly #timeoutMs: number
  #att?: Attachment
  #opening?: Promise<Attachment>
  #nextId = 1
  #closed = false

  constructor (init: ChannelInit, attached?: Attached) {
    this.#init = init
    this.protocol = init.protocol
    this.peer = init.peer
    this.#timeoutMs = init.requestTimeoutMs ?? 30_000
    if (attached !== undefined) this.#att = this.#attach(attached)
  }

  /** Whether a live connection is attached now (an outbound channel opens one on demand). */
  get open (): boolean { return this.#att !== undefined && this.#att.fs.open }
  /** Requests and streams sent and not yet finished. */
  get inFlight (): number { return this.#att?.pending.size ?? 0 }
  /** Frames waiting for the connection to drain. */
  get backlog (): number { return this.#att?.fs.writeBacklog ?? 0 }

  /** Sends a request and waits for its answer. Aborting (or the timeout) cancels it on the other side. */
  async request<T = Record<string, unknown>> (body: unknown, options: ChannelRequestOptions<T> = {}): Promise<T> {
    const { signal } = options
    throwIfAborted(signal)
    const att = await this.#ready(signal)
    return await call(att, this.#nextId++, body, { signal, timeoutMs: options.timeoutMs ?? this.#timeoutMs, schema: options.schema }, this)
  }

  /**
   * Sends a stream request and yields its events as the consumer takes them. Breaking out of
   * the loop cancels it on the other side; so does aborting the signal, which also throws.
   */
  async * stream<T = unknown> (body: unknown, options: ChannelStreamOptions<T> = {}): AsyncGenerator<T, void, undefined> {
    const { signal } = options
    throwIfAborted(signal)
    const att = await this.#ready(signal)
    yield * stream(att, this.#nextId++, body, { signal, window: options.window ?? 64, schema: options.schema }, this)
  }

  /** Sends a notification (no answer). Resolves once the frame is handed to the connection. */
  async notify (body: unknown, options: { signal?: AbortSignal } = {}): Promise<void> {
    const att = await this.#ready(options.signal)
    await att.fs.write({ k: 'n', b: body })
  }

  /** Closes the channel: no re-open; requests in flight fail when the connection ends. */
  async close (): Promise<void> {
    this.#closed = true
    const att = this.#att
    if (att !== undefined) await att.fs.close({ signal: AbortSignal.timeout(2000) })
  }

  /** Resets the connection now (requests in flight fail). An outbound channel may re-open later. */
  abort (err: Error = new StreamClosedError('The channel was reset.')): void {
    this.#att?.fs.fail(err)
  }

  async #ready (signal?: AbortSignal): Promise<Attachment> {
    const att = this.#att
    if (att !== undefined && att.fs.open) return att
    if (this.#closed || this.#init.open === undefined) {
      throw new StreamClosedError(`The ${this.protocol} channel with ${this.peer} is closed.`)
    }
    this.#opening ??= this.#init.open().then((attached) => {
      this.#att = this.#attach(attached)
      return this.#att
    }).finally(() => { this.#opening = undefined })
    return await raceSignal(this.#opening, signal)
  }

  #attach ({ stream, connection }: Attached): Attachment {
    const { logger } = this.#init
    const fs = new FrameStream(stream, { maxFrameBytes: this.#init.maxFrameBytes, logger })
    let ending = false
    const responder = new Responder<ChannelContext>({
      fs,
      label: this.protocol,
      handler: () => this.#init.handler?.(),
      context: (kind, signal) => ({ peer: this.peer, remotePeer: connection?.remotePeer, connection, protocol: this.protocol, channel: this, kind, signal }),
      maxConcurrent: this.#init.maxConcurrent ?? 128,
      maxStreams: this.#init.maxStreams ?? 64,
      logger,
      // the other side finished writing: finish ours once the last answer is out
      onIdle: () => { if (ending) void fs.close({ signal: AbortSignal.timeout(5000) }) }
    })
    const att: Attachment = { fs, pending: new Map(), responder }
    fs.onFrame((value) => { this.#onFrame(att, value) })
    fs.onEnd((reason) => {
      if (this.#att === att) this.#att = undefined
      const err = reason instanceof StreamClosedError || reason instanceof BadFrameError
        ? new StreamClosedError(`The ${this.protocol} channel with ${this.peer} closed: ${reason.message}`, undefined, { cause: reason })
        : reason
      for (const p of [...att.pending.values()]) p.fail(err)
      // a bad frame or a reset: the connection is being torn down, there is nothing to finish
      if (!(reason instanceof StreamClosedError) || !fs.open) { responder.closed(); return }
      // the other side finished writing: answer what it asked, then close our side
      ending = true
      responder.callerEnded()
      if (!responder.busy) void fs.close({ signal: AbortSignal.timeout(5000) })
    })
    fs.onClose(() => { responder.closed() })
    return att
  }

  #onFrame (att: Attachment, value: unknown): void {
    let f: RpcFrame
    try {
      f = parseEnvelope(value)
    } catch (err) {
      att.fs.fail(err as Error)
      return
    }
    switch (f.k) {
      case 'q': att.responder.request(f.id, f.b, f.w); return
      case 'n': att.responder.notify(f.b); return
      case 'c': att.responder.cancel(f.id); return
      case 'm': att.responder.credit(f.id, f.n); return
    }
    // the rest answers our own requests; one answered after its timeout or cancel has no taker
    const p = att.pending.get(f.id)
    if (p === undefined) return
    switch (f.k) {
      case 's': p.answer(f.b); return
      case 'v': p.event(f.b); return
      case 'd': p.end(); return
      case 'e': p.fail(errorFromBody(f.e, this.peer))
    }
  }
}
