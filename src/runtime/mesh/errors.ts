import { ExitCode, InvalidInputError, MielinError, UnavailableError, type MielinErrorOptions } from '../errors.js'

/** No connection could be made to a node (nothing listening, wrong address, wrong cluster key). */
export class NodeUnreachableError extends UnavailableError {
  static override readonly defaultCode: string = 'E_NODE_UNREACHABLE'
}

/** A peer connected but did not prove it holds the cluster key (or we are refusing it for a while). */
export class PeerRefusedError extends MielinError {
  static override readonly defaultCode: string = 'E_PEER_REFUSED'
  static override readonly defaultExitCode: number = ExitCode.denied
}

/** libp2p denied a dial to a peer that failed the cluster check lately (./admission). */
export function refusedRecently (what: string, cause: unknown): PeerRefusedError {
  return new PeerRefusedError(`${what} failed the cluster check recently; this node refuses it for a while.`, undefined, {
    cause,
    suggestions: ['Give it the cluster key (mielin mesh join TOKEN), then retry in half a minute.']
  })
}

/**
 * A frame that is too big, not JSON, or of the wrong shape. `path` names the bad field
 * (`frame.load.cpu`). On the wire it resets the one stream it arrived on, nothing else.
 */
export class BadFrameError extends InvalidInputError {
  static override readonly defaultCode: string = 'E_BAD_FRAME'
  readonly path: string

  constructor (message: string, path = 'frame', options: MielinErrorOptions = {}) {
    super(message, undefined, options)
    this.path = path
  }
}

/** A request got no answer in time. */
export class MeshTimeoutError extends UnavailableError {
  static override readonly defaultCode: string = 'E_MESH_TIMEOUT'
}

/** The stream or channel closed (or was reset) before the answer came. */
export class StreamClosedError extends UnavailableError {
  static override readonly defaultCode: string = 'E_STREAM_CLOSED'
}

/** The peer does not serve that protocol. */
export class ProtocolUnsupportedError extends UnavailableError {
  static override readonly defaultCode: string = 'E_PROTOCOL_UNSUPPORTED'
}

/** The mesh is not started (or is stopping). */
export class MeshStoppedError extends UnavailableError {
  static override readonly defaultCode: string = 'E_MESH_STOPPED'
}

/** The cluster key is not 32 bytes. */
export class ClusterKeyError extends InvalidInputError {
  static override readonly defaultCode: string = 'E_CLUSTER_KEY'
}

/** What travels on the wire when a handler fails. */
export interface RemoteErrorInfo {
  code: string
  message: string
  suggestions?: string[]
}

/**
 * The remote handler failed. `code` is the remote's own code (`E_AGENT_NOT_FOUND`, …) so
 * callers can react to it as if it had happened locally; `peer` says where.
 */
export class RemoteError extends MielinError {
  static override readonly defaultCode: string = 'E_REMOTE'
  readonly peer: string

  constructor (peer: string, info: RemoteErrorInfo) {
    super(info.message, /^E_[A-Z0-9_]{1,62}$/.test(info.code) ? info.code : undefined, { suggestions: info.suggestions })
    this.peer = peer
  }
}

/** Turns any handler failure into what may be sent to a peer: our own errors keep their code, bugs stay private. */
export function toRemoteErrorInfo (err: unknown): RemoteErrorInfo {
  if (err instanceof MielinError) {
    return { code: err.code, message: err.message.slice(0, 2048), suggestions: err.suggestions.slice(0, 8).map((s) => s.slice(0, 512)) }
  }
  return { code: 'E_REMOTE_INTERNAL', message: 'The remote handler failed (see the remote node\'s log).' }
}
