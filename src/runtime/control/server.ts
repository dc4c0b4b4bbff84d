import { chmod, lstat, mkdir, unlink } from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { defaultLogger, type Logger } from '../logger.js'
import { Channel, serveMethods, socketDuplex, type CallMethod, type StreamMethod } from '../rpc/index.js'
import { ControlDeniedError, ControlSocketPathError, NodeRunningError } from './errors.js'
import { MAX_CONTROL_FRAME_BYTES } from './protocol.js'

/** A request/response method of the control API. */
export type ControlHandler = CallMethod
/** A streaming method of the control API: each value is sent as an event; stop when the signal aborts. */
export type ControlStreamHandler = StreamMethod

export interface ControlServerInit {
  /** Where to listen; a node uses `controlSocketPath(dataDir)`, i.e. `<dataDir>/control.sock`. */
  socketPath: string
  /** Request/response methods by name. Default: none. */
  handlers?: Record<string, ControlHandler>
  /** Streaming methods by name. Default: none. */
  streams?: Record<string, ControlStreamHandler>
  /** Default: `defaultLogger('control')`. */
  logger?: Logger
  /** The largest frame accepted; a larger one closes its connection. Default 8 MiB. */
  maxFrameBytes?: number
}

export type ControlServerStatus = 'stopped' | 'starting' | 'started' | 'stopping'

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code

/**
 * Serves the control methods on a Unix domain socket that only its owner can use (mode
 * 0600), one RPC channel per connection. Windows named pipes are not supported.
 */
export class ControlServer {
  readonly socketPath: string
  readonly #init: ControlServerInit
  readonly #log: Logger
  // each client's socket, and the channel that serves it
  readonly #connections = new Map<net.Socket, Channel>()
  #server: net.Server | undefined
  #ino: number | undefined
  #status: ControlServerStatus = 'stopped'

  constructor (init: ControlServerInit) {
    this.#init = init
    this.socketPath = path.resolve(init.socketPath)
    this.#log = init.logger ?? defaultLogger('control')
  }

  get status (): ControlServerStatus { return this.#status }

  /**
   * Listens. Fails with E_NODE_RUNNING when a live node answers on the socket already; a
   * socket file left by a node that died is replaced.
   */
  async start (): Promise<void> {
    if (this.#status !== 'stopped') return
    this.#status = 'starting'
    try {
      await mkdir(path.dirname(this.socketPath), { recursive: true, mode: 0o700 })
      await this.#removeStale()
      // the socket is the owner's own: a bug's message may reach the CLI
      const handler = serveMethods({ calls: this.#init.handlers, streams: this.#init.streams }, { detail: true, logger: this.#log })
      const server = net.createServer((socket) => {
        socket.once('close', () => this.#connections.delete(socket))
        this.#connections.set(socket, new Channel({
          protocol: 'control',
          peer: this.socketPath,
          maxFrameBytes: this.#init.maxFrameBytes ?? MAX_CONTROL_FRAME_BYTES,
          logger: this.#log,
          handler: () => handler
        }, { stream: socketDuplex(socket, `control connection on ${this.socketPath}`) }))
      })
      // a listen error reaches the caller as a MielinError: printing it here too would say it twice
      server.on('error', (err) => {
        if (this.#status === 'started') this.#log.error(`control socket error: ${err.message}`)
        else this.#log(`control socket error while ${this.#status}: ${err.message}`)
      })
      await this.#listen(server)
      this.#server = server
      // Belt and braces: the umask already made it 0600 where the process could set one.
      await chmod(this.socketPath, 0o600)
      this.#ino = (await lstat(this.socketPath)).ino
      this.#status = 'started'
      this.#log(`control socket listening on ${this.socketPath}`)
    } catch (err) {
      await this.#closeServer()
      this.#status = 'stopped'
      throw err
    }
  }

  /** Stops listening, drops the connections (aborting their requests) and removes the socket file. */
  async stop (): Promise<void> {
    if (this.#status !== 'started') return
    this.#status = 'stopping'
    await this.#closeServer()
    try {
      // Remove only our own socket, never one a newer node put at the same path.
      if ((await lstat(this.socketPath)).ino === this.#ino) await unlink(this.socketPath)
    } catch (err) {
      if (errno(err) !== 'ENOENT') this.#log.error(`cannot remove ${this.socketPath}: ${(err as Error).message}`)
    }
    this.#status = 'stopped'
  }

  async #closeServer (): Promise<void> {
    const server = this.#server
    this.#server = undefined
    const closed = server?.listening === true ? new Promise<void>((resolve) => server.close(() => resolve())) : undefined
    for (const socket of this.#connections.keys()) socket.destroy()
    this.#connections.clear()
    await closed
  }

  #listen (server: net.Server): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => { reject(this.#listenError(err)) }
      server.once('error', onError)
      server.once('listening', () => {
        server.off('error', onError)
        resolve()
      })
      // The socket file is created inside listen() (synchronously), so a umask set around it
      // makes the file owner-only from its first instant. Worker threads cannot set a umask:
      // there the chmod after listening closes the gap, and the data dir is 0700 anyway.
      let previous: number | undefined
      try { previous = process.umask(0o177) } catch { previous = undefined }
      try {
        server.listen(this.socketPath)
      } catch (err) {
        reject(this.#listenError(err as Error))
      } finally {
        if (previous !== undefined) process.umask(previous)
      }
    })
  }

  #listenError (err: Error): Error {
    const code = errno(err)
    if (code === 'EADDRINUSE') return NodeRunningError.at(this.socketPath)
    if (code === 'ENAMETOOLONG' || code === 'EINVAL') {
      return new ControlSocketPathError(`The control socket path is too long for a Unix socket (${Buffer.byteLength(this.socketPath)} bytes; about 100 at most): ${this.socketPath}.`, undefined, {
        cause: err, suggestions: ['Use a shorter --data-dir']
      })
    }
    if (code === 'EACCES') return new ControlDeniedError(`Cannot create ${this.socketPath}: permission denied.`, undefined, { cause: err, suggestions: ['Use a --data-dir you own'] })
    return err
  }

  /** A socket file whose node is gone is removed; a live node, or a file that is not a socket, stops us. */
  async #removeStale (): Promise<void> {
    let isSocket: boolean
    try {
      isSocket = (await lstat(this.socketPath)).isSocket()
    } catch (err) {
      if (errno(err) === 'ENOENT') return
      throw err
    }
    if (!isSocket) {
      throw new ControlSocketPathError(`${this.socketPath} exists and is not a socket; mielin will not replace it.`, undefined, {
        suggestions: [`Move ${this.socketPath} away, or use another --data-dir`]
      })
    }
    if (await answers(this.socketPath)) throw NodeRunningError.at(this.socketPath)
    this.#log(`removing the stale control socket ${this.socketPath}`)
    await unlink(this.socketPath).catch((err: unknown) => { if (errno(err) !== 'ENOENT') throw err })
  }
}

/** Whether something accepts connections on the socket (a refused or missing one is stale). */
function answers (socketPath: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const socket = net.createConnection(socketPath)
    const done = (live: boolean): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(live)
    }
    // A full backlog can leave connect pending: something is there, so call it live.
    const timer = setTimeout(() => done(true), timeoutMs)
    socket.once('connect', () => done(true))
    socket.once('error', (err) => {
      const code = errno(err)
      if (code === 'ECONNREFUSED' || code === 'ENOENT') return done(false)
      clearTimeout(timer)
      socket.destroy()
      reject(code === 'EACCES'
        ? new ControlDeniedError(`${socketPath} belongs to another user: permission denied.`, undefined, { cause: err, suggestions: ['Run mielin as the user that owns this data dir, or use another --data-dir'] })
        : err)
    })
  })
}
