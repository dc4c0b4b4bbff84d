/**
 * The mesh: libp2p nodes in a private cluster (pnet on TCP, a cluster-key admission check
 * on every connection), `/mielin/*` protocols over schema-checked frames (the RPC layer's
 * channels, one per peer and protocol), and membership with signed heartbeats and failure detection.
 *
 * @example
 * ```ts
 * const mesh = new Mesh({}, { privateKey, clusterKey, host: '0.0.0.0', port: 4001, join: ['10.0.0.5:4001'] })
 * await mesh.handle('/mielin/echo/1.0.0', z.object({ text: z.string().max(100) }), (req) => ({ text: req.text }))
 * await mesh.start()
 * const members = createMembership({ mesh }, { name: 'edge-1', labels: { zone: 'a' } })
 * await members.start()
 * const reply = await mesh.request(peerId, '/mielin/echo/1.0.0', { text: 'hi' })
 * await members.stop(); await mesh.stop()
 * ```
 */
export { Mesh, type MeshInit, type MeshComponents, type MeshStatus, type MeshRequestOptions } from './mesh.js'
export { meshProtocol, type HandleOptions, type RequestContext, type RequestHandler } from './protocol-registry.js'
export type { MeshPeerEvent } from './peer-events.js'
export { createLibp2pNode, swarmKey, listenAddrs, toDialTarget, KAD_PROTOCOL, type DhtInit, type Libp2pNodeInit, type MeshLibp2p, type MeshLibp2pServices, type Transport, type Encryption } from './libp2p.js'
export { Admission, RefusedPeers, admission, gateComponents, ADMIT_PROTOCOL, type AdmissionInit, type AdmissionComponents, type AdmissionState } from './admission/index.js'
export * from './errors.js'
export * from './wire/index.js'
export * from './membership/index.js'
export * from './auth/index.js'
export * from './directory/index.js'
