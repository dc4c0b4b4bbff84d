/**
 * Cluster admission: every new connection, in both directions and on every transport, must
 * prove within ~2 s that the peer holds the cluster key, or it is closed and the peer refused.
 *
 * What each layer guarantees (and what it does not):
 * - TCP: @libp2p/pnet XORs the raw socket with XSalsa20 keyed by the cluster key *before*
 *   the TLS/noise handshake. A node without the key sees noise and cannot even negotiate
 *   the handshake; we never speak to it. pnet gives secrecy from outsiders only, not
 *   integrity; integrity and peer authentication come from TLS 1.3 / noise inside.
 * - QUIC: QUIC has its own TLS 1.3 and libp2p skips pnet for it, so *anyone* can complete
 *   a QUIC connection to us. TLS authenticates the peer id, not membership. The admission
 *   handshake (./handshake.ts) closes that gap: a challenge–response over `/mielin/admit/1.0.0`
 *   with HMAC-SHA256 under a key derived from the cluster key, over both fresh nonces and both
 *   peer ids (so a proof cannot be replayed nor reused on another connection). Until a
 *   connection is admitted (./admission-service.ts), every `/mielin/*` handler registered
 *   through the Mesh, and the DHT (`/mielin/kad/1.0.0`, see ./gated-components.ts), waits and
 *   then refuses; our own requests wait too, so we never send cluster data to an unadmitted
 *   peer. What an outsider still gets on QUIC before it is cut off: our peer id and TLS
 *   certificate, and libp2p's identify and ping answers (listen addresses, protocol names,
 *   agent version).
 * - A failed or late proof closes the connection and refuses the peer id for `refuseForMs`
 *   at the connection gater (dials and inbound connections), on all transports
 *   (./refused-peers.ts).
 * - Admission proves "holds the cluster key", nothing more: operator rights are capability
 *   tokens (see ../auth), checked per request.
 *
 * @example
 * ```ts
 * const refused = new RefusedPeers(30_000)
 * const node = await createLibp2p({
 *   connectionGater: refused.gater(),
 *   services: { admission: admission({ clusterKey, refused }) }
 * })
 * await node.handle('/mielin/echo/1.0.0', node.services.admission.gate(handler))
 * ```
 */
export { Admission, admission, type AdmissionInit, type AdmissionComponents, type AdmissionState } from './admission-service.js'
export { ADMIT_PROTOCOL } from './handshake.js'
export { RefusedPeers } from './refused-peers.js'
export { gateComponents } from './gated-components.js'
