import { ExitCode, InvalidInputError, MielinError, UnavailableError } from '../errors.js'

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

/** The address to listen on is taken: another process listens on its port. */
export class PortInUseError extends UnavailableError {
  static override readonly defaultCode: string = 'E_PORT_IN_USE'
}

/** The node cannot listen on the address for another reason (not this machine's, a privileged port). */
export class ListenError extends UnavailableError {
  static override readonly defaultCode: string = 'E_LISTEN_FAILED'
}

/** The mesh failed to start for a reason other than listening. */
export class MeshStartError extends UnavailableError {
  static override readonly defaultCode: string = 'E_MESH_START'
}

/** A dial, or the opening of a stream, took longer than its timeout. */
export class MeshTimeoutError extends UnavailableError {
  static override readonly defaultCode: string = 'E_MESH_TIMEOUT'
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

// The wire's own errors are the RPC layer's: the mesh speaks it between nodes.
export { BadFrameError, RemoteError, StreamClosedError } from '../rpc/index.js'
