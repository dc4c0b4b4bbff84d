/**
 * What libp2p throws while dialling or opening a stream, turned into MielinErrors that name
 * the peer and the protocol and say what to try. Pure: the caller passes the signals of the
 * attempt, and which one fired says who ended it, so the mapping is tested without a node.
 */
import { AbortedError, MielinError } from '../errors.js'
import { MeshStoppedError, MeshTimeoutError, NodeUnreachableError, PeerRefusedError, ProtocolUnsupportedError, refusedRecently } from './errors.js'

/** The two usual reasons a node cannot be reached, in the order worth checking. */
export const UNREACHABLE_HINTS: readonly string[] = [
  'Is a mielin node listening there (mielin mesh start)? Check the host, the port and the firewall.',
  'Does it hold the same cluster key? A node of another cluster cannot even finish the handshake (mielin mesh join TOKEN).'
]

/** A `node.dial(addr)` that threw; `what` is the address as the user gave it. */
export function dialError (err: unknown, what: string, user?: AbortSignal): MielinError {
  if (user?.aborted === true) return new AbortedError('Aborted.', { cause: err })
  // libp2p's connection gater said no: the peer failed admission lately (see ./admission)
  if ((err as Error)?.name === 'DialDeniedError') return refusedRecently(what, err)
  return new NodeUnreachableError(`Cannot reach ${what}: ${(err as Error)?.message ?? String(err)}`, undefined, { cause: err, suggestions: [...UNREACHABLE_HINTS] })
}

/** A dial that connected, but one side did not prove the cluster key to the other. */
export function notAdmittedError (what: string, peer: string): PeerRefusedError {
  return new PeerRefusedError(`${what} (${peer}) connected but the cluster check failed: it does not hold our cluster key, or it refused ours.`, undefined, {
    suggestions: ['Make both nodes members of the same cluster (mielin mesh join TOKEN), then retry.']
  })
}

export interface StreamAttempt {
  peer: string
  protocol: string
  /** The attempt's own deadline, and its length for the message. */
  timeout: AbortSignal
  timeoutMs: number
  /** Aborted when the mesh stops. */
  stopped: AbortSignal
  /** The caller's signal, if any. */
  user?: AbortSignal
}

/**
 * A request or channel open that failed at any step (connection, admission, stream, answer).
 * The caller's abort wins over the mesh stopping, which wins over the timeout: each is the
 * cause of the later ones, not the other way round.
 */
export function streamError (err: unknown, a: StreamAttempt): Error {
  if (a.user?.aborted === true) return err instanceof AbortedError ? err : new AbortedError('Aborted.', { cause: err })
  if (a.stopped.aborted) return new MeshStoppedError('The mesh stopped.', undefined, { cause: err })
  if (a.timeout.aborted) {
    return new MeshTimeoutError(`${a.peer} did not answer ${a.protocol} within ${a.timeoutMs} ms.`, undefined, {
      cause: err,
      suggestions: ['Check that the node is up (mielin mesh status) and not overloaded; retry with a longer timeout.']
    })
  }
  // already explained (a remote error, a bad frame, a refused peer): keep it as it is
  if (err instanceof MielinError) return err
  const name = (err as Error)?.name
  if (name === 'DialDeniedError') return refusedRecently(a.peer, err)
  if (name === 'UnsupportedProtocolError') {
    return new ProtocolUnsupportedError(`${a.peer} does not serve ${a.protocol}.`, undefined, { cause: err, suggestions: ['Is it running the same mielin version?'] })
  }
  return new NodeUnreachableError(`Cannot reach ${a.peer} for ${a.protocol}: ${(err as Error)?.message ?? String(err)}`, undefined, { cause: err, suggestions: [...UNREACHABLE_HINTS] })
}
