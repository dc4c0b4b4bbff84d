/**
 * Which connection carries a node's traffic when it has several to one peer.
 *
 * Nodes first meet over TCP (`mielin mesh join HOST:PORT` names a TCP port). On TCP every
 * byte crosses three layers written in JS (pnet's XSalsa20, node:tls over a JS stream, yamux);
 * QUIC does encryption and multiplexing natively, and measured here it answers a small request
 * in about half the time and carries about 1.5× the messages per second. So once a TCP
 * connection's peer tells us (identify) that it also listens on QUIC, the side that dialed
 * opens a QUIC connection too, and new streams prefer it. TCP stays up: it is the fallback
 * when UDP is filtered, and QUIC connections are admitted like any other (./admission).
 */
import type { Connection, IdentifyResult } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../logger.js'
import type { Admission } from './admission/index.js'
import type { MeshLibp2p } from './libp2p.js'

export function isQuic (addr: Multiaddr): boolean {
  return addr.toString().includes('/quic-v1')
}

/**
 * The admitted connection new streams should use: QUIC first, then the oldest. A QUIC
 * connection still being admitted is worth a short wait, since streams stay where they open.
 */
export async function preferredConnection (conns: Connection[], admission: Admission, signal: AbortSignal): Promise<Connection | undefined> {
  const admitted = conns.filter((c) => admission.isAdmitted(c))
  const ready = admitted.find((c) => isQuic(c.remoteAddr)) ?? admitted[0]
  if (ready !== undefined && isQuic(ready.remoteAddr)) return ready
  const quicSoon = conns.find((c) => isQuic(c.remoteAddr) && admission.state(c) === 'pending')
  if (quicSoon !== undefined && await admission.waitAdmitted(quicSoon, AbortSignal.any([signal, AbortSignal.timeout(500)])).catch(() => false)) return quicSoon
  return ready
}

/**
 * Opens a QUIC connection beside each outbound TCP one whose peer listens on QUIC, when
 * this node can speak QUIC. Returns the unsubscribe function.
 */
export function upgradeToQuic (node: MeshLibp2p, log: Logger, signal: AbortSignal): () => void {
  const weSpeakQuic = node.getMultiaddrs().some(isQuic)
  const onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { connection, listenAddrs, peerId } = evt.detail
    if (!weSpeakQuic || connection.direction !== 'outbound' || isQuic(connection.remoteAddr)) return
    if (node.getConnections(peerId).some((c) => isQuic(c.remoteAddr))) return
    // the address family and host we reached it on: a LAN node also lists its other interfaces
    const host = connection.remoteAddr.toString().split('/').slice(0, 3).join('/')
    const target = listenAddrs.find((a) => isQuic(a) && a.toString().startsWith(`${host}/`))
    if (target === undefined) return
    node.dial(target.encapsulate(`/p2p/${peerId.toString()}`), { force: true, signal: AbortSignal.any([signal, AbortSignal.timeout(5000)]) })
      .then(() => { log(`quic to ${peerId.toString()} at ${target.toString()}`) })
      .catch((err: Error) => { log(`quic to ${peerId.toString()} failed, staying on tcp: ${err.message}`) })
  }
  node.addEventListener('peer:identify', onIdentify)
  return () => { node.removeEventListener('peer:identify', onIdentify) }
}
