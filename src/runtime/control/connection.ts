import type net from 'node:net'
import { isMielinError } from '../errors.js'
import type { Logger } from '../logger.js'
import { ControlProtocolError, internalError, UnknownMethodError } from './errors.js'
import {
  controlCancelSchema, controlRequestSchema, LineSplitter, requestIdOnlySchema, type ControlErrorBody, type ControlReply, type RequestId
} from './protocol.js'

export interface ControlContext {
  /** Aborted when the client cancels the request or disconnects, or the server stops. */
  signal: AbortSignal
}

/** A request/response method. Its result must survive JSON.stringify (undefined becomes null). */
export type ControlHandler = (params: any, context: ControlContext) => unknown
/** A streaming method: each value is sent as an event; stop when the signal aborts. */
export type ControlStreamHandler = (params: any, context: ControlContext) => AsyncIterable<unknown>

export interface ConnectionParts {
  handlers: Record<string, ControlHandler>
  streams: Record<string, ControlStreamHandler>
  logger: Logger
  maxLineBytes: number
}

const FIX_REQUEST = 'Send one JSON object a line: {"id": 1, "method": "<name>", "params": {}}'

/** One client connection: reads request lines, runs them concurrently, writes reply lines. */
export class Connection {
  readonly #inflight = new Map<RequestId, AbortController>()
  readonly #splitter: LineSplitter
  #closed = false

  constructor (readonly socket: net.Socket, readonly parts: ConnectionParts, onClose: () => void) {
    this.#splitter = new LineSplitter(parts.maxLineBytes)
    socket.on('data', this.#onData)
    socket.on('error', (err) => { parts.logger(`control connection error: ${err.message}`) })
    socket.on('close', () => {
      this.#shut()
      onClose()
    })
  }

  /** Drops the connection, aborting what it was running. */
  destroy (): void {
    this.#shut()
    this.socket.destroy()
  }

  #shut (): void {
    this.#closed = true
    for (const ac of this.#inflight.values()) ac.abort()
    this.#inflight.clear()
  }

  readonly #onData = (chunk: Buffer): void => {
    const { lines, tooLong } = this.#splitter.push(chunk)
    for (const line of lines) this.#onLine(line)
    if (!tooLong) return
    this.socket.off('data', this.#onData)
    this.#shut()
    const error = new ControlProtocolError(`A request line is longer than ${this.parts.maxLineBytes} bytes; closing this connection.`, undefined, {
      suggestions: ['Send large data another way (for example a file path), not inline']
    })
    this.socket.end(JSON.stringify({ id: null, error: error.toJSON() }) + '\n', () => this.socket.destroy())
  }

  #onLine (line: string): void {
    let msg: unknown
    try {
      msg = JSON.parse(line)
    } catch (err) {
      void this.#send({ id: null, error: this.#malformed(`The request is not JSON (${(err as Error).message}).`) })
      return
    }
    const cancel = controlCancelSchema.safeParse(msg)
    if (cancel.success) {
      this.#inflight.get(cancel.data.id)?.abort()
      return
    }
    const request = controlRequestSchema.safeParse(msg)
    if (!request.success) {
      const withId = requestIdOnlySchema.safeParse(msg)
      const error = this.#malformed(withId.success ? 'The request has no "method".' : 'The request has no "id" (a number or a string).')
      void this.#send({ id: withId.success ? withId.data.id : null, error })
      return
    }
    const { id, method } = request.data
    if (this.#inflight.has(id)) {
      void this.#send({ id, error: this.#malformed(`The id ${JSON.stringify(id)} is already used by a request in progress.`) })
      return
    }
    const params = request.data.params ?? {}
    const { handlers, streams } = this.parts
    if (Object.hasOwn(handlers, method)) void this.#call(id, method, handlers[method]!, params)
    else if (Object.hasOwn(streams, method)) void this.#stream(id, method, streams[method]!, params)
    else void this.#send({ id, error: this.#unknown(method) })
  }

  async #call (id: RequestId, method: string, handler: ControlHandler, params: unknown): Promise<void> {
    const ac = new AbortController()
    this.#inflight.set(id, ac)
    try {
      const result = await handler(params, { signal: ac.signal })
      if (!ac.signal.aborted) await this.#send({ id, result: result ?? null })
    } catch (err) {
      if (!ac.signal.aborted) await this.#send({ id, error: this.#errorBody(method, err) })
    } finally {
      if (this.#inflight.get(id) === ac) this.#inflight.delete(id)
    }
  }

  async #stream (id: RequestId, method: string, handler: ControlStreamHandler, params: unknown): Promise<void> {
    const ac = new AbortController()
    this.#inflight.set(id, ac)
    const aborted = new Promise<undefined>((resolve) => ac.signal.addEventListener('abort', () => resolve(undefined), { once: true }))
    let it: AsyncIterator<unknown> | undefined
    let finished = false
    try {
      it = handler(params, { signal: ac.signal })[Symbol.asyncIterator]()
      while (!ac.signal.aborted) {
        const next = Promise.resolve(it.next())
        // A stream that ignores its signal must not keep a cancelled request alive.
        next.catch(() => {})
        const r = await Promise.race([next, aborted])
        if (r === undefined) break
        if (r.done === true) { finished = true; break }
        await this.#send({ id, event: r.value })
      }
      await this.#send({ id, end: true })
    } catch (err) {
      await this.#send(ac.signal.aborted ? { id, end: true } : { id, error: this.#errorBody(method, err) })
    } finally {
      if (this.#inflight.get(id) === ac) this.#inflight.delete(id)
      if (!finished) closeIterator(it)
    }
  }

  /** Writes one reply line, waiting while the socket's buffer is full (so streams slow down). */
  async #send (reply: ControlReply): Promise<void> {
    if (this.#closed) return
    let line = JSON.stringify(reply)
    if (Buffer.byteLength(line) > this.parts.maxLineBytes) {
      line = JSON.stringify({ id: reply.id, error: internalError('reply', new Error(`a reply of ${Buffer.byteLength(line)} bytes is over the ${this.parts.maxLineBytes}-byte line limit`)).toJSON() })
    }
    if (this.socket.write(line + '\n')) return
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done)
        this.socket.off('close', done)
        resolve()
      }
      this.socket.on('drain', done)
      this.socket.on('close', done)
    })
  }

  #errorBody (method: string, err: unknown): ControlErrorBody {
    if (isMielinError(err)) return err.toJSON()
    this.parts.logger.error(`control method ${method} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`)
    return internalError(method, err).toJSON()
  }

  #malformed (message: string): ControlErrorBody {
    return new ControlProtocolError(message, undefined, { suggestions: [FIX_REQUEST] }).toJSON()
  }

  #unknown (method: string): ControlErrorBody {
    const known = [...Object.keys(this.parts.handlers), ...Object.keys(this.parts.streams)].sort()
    return new UnknownMethodError(`Unknown control method "${method}". Methods: ${known.join(', ') || '(none)'}.`, undefined, {
      suggestions: ['Use the same mielin version for the CLI and the node']
    }).toJSON()
  }
}

/** Tells a stream we stopped reading it, without waiting (it may be stuck in an await). */
function closeIterator (it: AsyncIterator<unknown> | undefined): void {
  try {
    if (it?.return !== undefined) void Promise.resolve(it.return()).catch(() => {})
  } catch {
    // A stream that fails while closing has nothing left to tell the client.
  }
}
