/**
 * Pattern (a), one-shot request/response: the client opens a stream, sends one frame and
 * closes its writing end; the server reads that frame, answers with one envelope
 * (`{ ok: frame }` or `{ error: { code, message, suggestions } }`) and closes.
 */
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { Logger } from '../../logger.js'
import { AbortedError, MielinError } from '../../errors.js'
import { BadFrameError, errorBody, FrameStream, RemoteError, StreamClosedError, type ErrorBody } from '../../rpc/index.js'
import { MeshTimeoutError } from '../errors.js'
import { schema, type Frame, type Schema } from './schema.js'

export interface RequestContext {
  /** Who asked (authenticated by the transport, admitted by the cluster key). */
  peer: PeerId
  connection: Connection
  protocol: string
  /** Aborts when the stream closes or the mesh stops. */
  signal: AbortSignal
}

/** Answers one request; return the response frame (nothing means `{}`) or throw a MielinError. */
export type RequestHandler<Req> = (frame: Req, ctx: RequestContext) => Promise<object | undefined | void> | object | undefined | void

export interface ServeOptions {
  maxFrameBytes?: number
  logger?: Logger
  /** How long the client may take to send its request. @default 10000 */
  readTimeoutMs?: number
  /** Aborts the handler's signal (when the mesh stops). */
  signal?: AbortSignal
}

const errorInfoSchema: Schema<Partial<ErrorBody>> = schema.object({
  code: schema.string({ max: 64 }),
  message: schema.string({ max: 4096 }),
  suggestions: schema.optional(schema.array(schema.string({ max: 1024 }), { max: 16 })),
  exitCode: schema.optional(schema.integer({ min: 1, max: 255 }))
})

const envelopeSchema = schema.object({
  ok: schema.optional(schema.json()),
  error: schema.optional(errorInfoSchema)
})

/** Serves one inbound request stream. Never throws: a bad frame or a timeout resets this stream only. */
export async function serveRequest<Req> (stream: Stream, connection: Connection, requestSchema: Schema<Req>, handler: RequestHandler<Req>, options: ServeOptions = {}): Promise<void> {
  const fs = new FrameStream(stream, { maxFrameBytes: options.maxFrameBytes, logger: options.logger, maxQueuedFrames: 1 })
  const log = options.logger
  let request: Req
  try {
    request = await fs.read(requestSchema, { signal: AbortSignal.timeout(options.readTimeoutMs ?? 10_000) })
  } catch (err) {
    // no request: reset the stream (a bad frame has already done so)
    if (err instanceof AbortedError) fs.fail(new MeshTimeoutError('No request arrived in time.'))
    else if (!(err instanceof BadFrameError)) fs.fail(err as Error)
    return
  }
  const controller = new AbortController()
  stream.addEventListener('close', () => { controller.abort() }, { once: true })
  const signal = options.signal === undefined ? controller.signal : AbortSignal.any([controller.signal, options.signal])
  let reply: object
  try {
    const out = await handler(request, { peer: connection.remotePeer, connection, protocol: stream.protocol, signal })
    reply = { ok: out ?? {} }
  } catch (err) {
    // a handler stopped because the asker hung up is routine; any other non-mielin error is a bug
    if (signal.aborted) log?.(`${stream.protocol} handler aborted: ${(err as Error)?.message ?? String(err)}`)
    else if (!(err instanceof MielinError)) log?.error(`${stream.protocol} handler failed: ${(err as Error)?.stack ?? String(err)}`)
    reply = { error: errorBody(err, stream.protocol) }
  }
  try {
    await fs.write(reply)
  } catch (err) {
    // an answer too big for the frame limit becomes an error answer; a closed stream ends here
    if (err instanceof BadFrameError && fs.open) await fs.write({ error: errorBody(err, stream.protocol) }).catch(() => {})
    else log?.(`${stream.protocol}: could not answer (${(err as Error).message})`)
  }
  await fs.close({ signal: AbortSignal.timeout(5000) })
}

export interface RequestOnceOptions<T> {
  /** Checks the response frame. @default any JSON object */
  schema?: Schema<T>
  maxFrameBytes?: number
  signal?: AbortSignal
  /** The peer, for error messages. */
  peer?: string
  logger?: Logger
}

const anyFrame = schema.frame()

/** Sends `frame` on a fresh stream and returns the checked response; throws RemoteError for an error answer. */
export async function requestOnce<T = Frame> (stream: Stream, frame: object, options: RequestOnceOptions<T> = {}): Promise<T> {
  const fs = new FrameStream(stream, { maxFrameBytes: options.maxFrameBytes, logger: options.logger, maxQueuedFrames: 1 })
  const peer = options.peer ?? 'peer'
  try {
    await fs.write(frame)
    const closing = fs.close()
    const env = await fs.read(envelopeSchema, { signal: options.signal })
    await closing
    if (env.error !== undefined) throw new RemoteError(peer, env.error)
    if (env.ok === undefined) throw new BadFrameError('frame: a response holds "ok" or "error".')
    return (options.schema ?? anyFrame as unknown as Schema<T>).parse(env.ok, 'frame.ok')
  } catch (err) {
    // fs.read has already reset the stream for a bad frame
    if (err instanceof AbortedError) fs.fail(err)
    else if (stream.status === 'open') stream.abort(err as Error)
    if (err instanceof StreamClosedError) throw new StreamClosedError(`${peer} closed the ${stream.protocol} stream before answering.`, undefined, { cause: err })
    throw err
  }
}
