import net from 'node:net'
import path from 'node:path'
import { AbortedError, throwIfAborted } from '../errors.js'
import { BadFrameError, Channel, RpcClient, socketDuplex, type StreamClosedError } from '../rpc/index.js'
import { ControlClosedError, ControlDeniedError, NodeNotRunningError } from './errors.js'
import { MAX_CONTROL_FRAME_BYTES } from './protocol.js'

export interface ControlClientOptions {
  signal?: AbortSignal
  /** The largest frame accepted from the node. Default 8 MiB. */
  maxFrameBytes?: number
}

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code

/** A connection to the local node's control socket: an RPC client whose calls and streams run concurrently over it. */
export class ControlClient extends RpcClient {
  /**
   * Connects to `<dataDir>/control.sock`. E_NODE_NOT_RUNNING (exit 4) when no node listens
   * there, E_CONTROL_DENIED when the socket belongs to another user.
   */
  static async connect (socketPath: string, options: ControlClientOptions = {}): Promise<ControlClient> {
    throwIfAborted(options.signal)
    const socket = await open(socketPath, options.signal)
    const channel = new Channel({
      protocol: 'control',
      peer: socketPath,
      maxFrameBytes: options.maxFrameBytes ?? MAX_CONTROL_FRAME_BYTES
    }, { stream: socketDuplex(socket, socketPath) })
    return new ControlClient(channel, { closed: (err) => closedError(socketPath, err) })
  }
}

/** What a caller hears when the node's side of the socket is gone. */
function closedError (socketPath: string, err: StreamClosedError): ControlClosedError {
  // a frame we cannot read is a node that speaks another protocol: an older or newer mielin
  if (err.cause instanceof BadFrameError) {
    return new ControlClosedError(`The mielin node at ${socketPath} sent something that is not a control frame (${err.cause.message}).`, undefined, {
      cause: err, suggestions: ['Use the same mielin version for the CLI and the node (restart the node after an upgrade)']
    })
  }
  return new ControlClosedError(`The mielin node at ${socketPath} closed the connection (did it stop?).`, undefined, {
    cause: err, suggestions: [`Check that the node is still running (is its data dir ${path.dirname(socketPath)}?), and try again`]
  })
}

function open (socketPath: string, signal?: AbortSignal): Promise<net.Socket> {
  const socket = net.createConnection(socketPath)
  return new Promise<net.Socket>((resolve, reject) => {
    const onAbort = (): void => {
      socket.destroy()
      reject(new AbortedError('Aborted.', { cause: signal?.reason }))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    const onError = (err: Error): void => {
      signal?.removeEventListener('abort', onAbort)
      socket.destroy()
      const code = errno(err)
      if (code === 'EACCES' || code === 'EPERM') {
        reject(new ControlDeniedError(`Cannot use ${socketPath}: it belongs to another user.`, undefined, {
          cause: err, suggestions: ['Run mielin as the user that started the node']
        }))
      } else {
        reject(NodeNotRunningError.at(socketPath, err))
      }
    }
    socket.once('error', onError)
    socket.once('connect', () => {
      signal?.removeEventListener('abort', onAbort)
      socket.off('error', onError)
      resolve(socket)
    })
  })
}
