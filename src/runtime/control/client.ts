import net from 'node:net'
import path from 'node:path'
import { AbortedError, throwIfAborted } from '../errors.js'
import { ControlClosedError, ControlDeniedError, ControlProtocolError, NodeNotRunningError } from './errors.js'
import { errorFromBody, LineSplitter, MAX_LINE_BYTES } from './protocol.js'

export interface ControlClientOptions {
  signal?: AbortSignal
  /** The longest reply line accepted. Default 8 MiB. */
  maxLineBytes?: number
}

interface Pending {
  result: (value: unknown) => void
  event: (value: unknown) => void
  end: () => void
  fail: (err: Error) => void
}

// A stream's buffered events past which the client stops reading the socket, so that a
// slow consumer slows the node down (through the socket) instead of filling memory.
const HIGH_WATER = 1024
const LOW_WATER = 256

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code

/** A connection to the local node's control socket. Requests run concurrently over it. */
export class ControlClient {
  readonly #socket: net.Socket
  readonly #socketPath: string
  readonly #pending = new Map<number, Pending>()
  readonly #full = new Set<number>()
  #nextId = 1
  #closed = false

  private constructor (socket: net.Socket, socketPath: string, maxLineBytes: number) {
    this.#socket = socket
    this.#socketPath = socketPath
    const splitter = new LineSplitter(maxLineBytes)
    socket.on('data', (chunk: Buffer) => {
      const { lines, tooLong } = splitter.push(chunk)
      for (const line of lines) this.#onLine(line)
      if (tooLong) this.#fail(new ControlProtocolError(`The node sent a line longer than ${maxLineBytes} bytes.`))
    })
    socket.on('error', (err) => this.#fail(new ControlClosedError(`The control connection to the node failed: ${err.message}.`, undefined, { cause: err })))
    socket.on('close', () => this.#fail(new ControlClosedError(`The mielin node at ${socketPath} closed the connection (did it stop?).`, undefined, {
      suggestions: ['Check that the node is still running, and try again']
    })))
  }

  /**
   * Connects to `<dataDir>/control.sock`. E_NODE_NOT_RUNNING (exit 4) when no node listens
   * there, E_CONTROL_DENIED when the socket belongs to another user.
   */
  static async connect (socketPath: string, options: ControlClientOptions = {}): Promise<ControlClient> {
    throwIfAborted(options.signal)
    const socket = net.createConnection(socketPath)
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        socket.destroy()
        reject(new AbortedError('Aborted.', { cause: options.signal?.reason }))
      }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      socket.once('connect', () => {
        options.signal?.removeEventListener('abort', onAbort)
        resolve()
      })
      socket.once('error', (err) => {
        options.signal?.removeEventListener('abort', onAbort)
        socket.destroy()
        const code = errno(err)
        if (code === 'EACCES' || code === 'EPERM') {
          reject(new ControlDeniedError(`Cannot use ${socketPath}: it belongs to another user.`, undefined, {
            cause: err, suggestions: ['Run mielin as the user that started the node']
          }))
        } else {
          reject(NodeNotRunningError.at(socketPath, err))
        }
      })
    })
    return new ControlClient(socket, socketPath, options.maxLineBytes ?? MAX_LINE_BYTES)
  }

  /** Calls a method; resolves to its result or rejects with the MielinError the node sent. */
  async call<T = unknown> (method: string, params: unknown = {}, options: { signal?: AbortSignal } = {}): Promise<T> {
    throwIfAborted(options.signal)
    this.#ensureOpen()
    const id = this.#nextId++
    return await new Promise<T>((resolve, reject) => {
      const signal = options.signal
      const onAbort = (): void => {
        this.#pending.delete(id)
        this.#write({ id, cancel: true })
        reject(new AbortedError('Aborted.', { cause: signal?.reason }))
      }
      const settle = (): void => {
        this.#pending.delete(id)
        signal?.removeEventListener('abort', onAbort)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#pending.set(id, {
        result: (value) => { settle(); resolve(value as T) },
        fail: (err) => { settle(); reject(err) },
        event: () => {
          settle()
          this.#write({ id, cancel: true })
          reject(new ControlProtocolError(`"${method}" is a streaming method: use stream(), not call().`))
        },
        end: () => { settle(); resolve(null as T) }
      })
      this.#write({ id, method, params })
    })
  }

  /**
   * Runs a streaming method and yields its events. Breaking out of the loop cancels it on the
   * node; so does aborting the signal, which also throws an AbortedError.
   */
  async * stream<T = unknown> (method: string, params: unknown = {}, options: { signal?: AbortSignal } = {}): AsyncGenerator<T, void, undefined> {
    const signal = options.signal
    throwIfAborted(signal)
    this.#ensureOpen()
    const id = this.#nextId++
    const queue: T[] = []
    let ended = false
    let failure: Error | undefined
    let wake: (() => void) | undefined
    const poke = (): void => { wake?.() }
    this.#pending.set(id, {
      result: () => {
        failure = new ControlProtocolError(`"${method}" is not a streaming method: use call(), not stream().`)
        poke()
      },
      event: (value) => {
        queue.push(value as T)
        if (queue.length >= HIGH_WATER && !this.#full.has(id)) {
          this.#full.add(id)
          this.#socket.pause()
        }
        poke()
      },
      end: () => { ended = true; poke() },
      fail: (err) => { failure = err; poke() }
    })
    signal?.addEventListener('abort', poke)
    this.#write({ id, method, params })
    try {
      while (true) {
        throwIfAborted(signal)
        if (queue.length > 0) {
          const value = queue.shift() as T
          if (queue.length <= LOW_WATER) this.#unblock(id)
          yield value
          continue
        }
        if (failure !== undefined) throw failure
        if (ended) return
        await new Promise<void>((resolve) => { wake = resolve })
        wake = undefined
      }
    } finally {
      signal?.removeEventListener('abort', poke)
      this.#pending.delete(id)
      this.#unblock(id)
      if (!ended && failure === undefined) this.#write({ id, cancel: true })
    }
  }

  /** Closes the connection; pending calls fail with E_CONTROL_CLOSED. */
  async close (): Promise<void> {
    if (this.#socket.destroyed) return
    const closed = new Promise<void>((resolve) => this.#socket.once('close', () => resolve()))
    this.#socket.end()
    // Do not wait forever for a node that does not close its side.
    const timer = setTimeout(() => this.#socket.destroy(), 1000)
    await closed
    clearTimeout(timer)
  }

  #unblock (id: number): void {
    if (this.#full.delete(id) && this.#full.size === 0 && !this.#closed) this.#socket.resume()
  }

  #ensureOpen (): void {
    if (this.#closed) {
      throw new ControlClosedError(`The control connection to ${this.#socketPath} is closed.`, undefined, {
        suggestions: [`Connect again (is the node with data dir ${path.dirname(this.#socketPath)} still running?)`]
      })
    }
  }

  #write (message: object): void {
    if (this.#closed) return
    this.#socket.write(JSON.stringify(message) + '\n')
  }

  #onLine (line: string): void {
    let msg: any
    try {
      msg = JSON.parse(line)
    } catch {
      this.#fail(new ControlProtocolError('The node sent a line that is not JSON.'))
      return
    }
    const pending = typeof msg?.id === 'number' ? this.#pending.get(msg.id) : undefined
    // Replies to cancelled requests, and errors about lines we never sent, have no taker.
    if (pending === undefined) return
    if ('error' in msg) pending.fail(errorFromBody(msg.error))
    else if ('event' in msg) pending.event(msg.event)
    else if (msg.end === true) pending.end()
    else if ('result' in msg) pending.result(msg.result)
  }

  /** Fails every pending request and closes the connection. */
  #fail (err: Error): void {
    if (this.#closed) return
    this.#closed = true
    const pending = [...this.#pending.values()]
    this.#pending.clear()
    for (const p of pending) p.fail(err)
    this.#socket.destroy()
  }
}
