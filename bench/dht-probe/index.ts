/**
 * Measures the mesh's Kademlia DHT from one node: how long a lookup takes and how many hops
 * it needs, counted from kad-dht's own query events. The bench (`npm run bench -- dht`) runs
 * it on every node of a real cluster through the control API.
 *
 * @example
 * ```ts
 * const dht = mesh.libp2p.services.dht
 * await probePut(dht, key, value)                       // on one node
 * const r = await probeLookup(dht, mesh.peerId, 'get', key) // on another
 * console.log(r.ms, r.hops, r.local)
 * ```
 */
export { countHops, toHopEvent, type HopEvent, type Hops } from './hops.js'
export { probeLookup, probePut, routingTableSize, type DhtLookup, type DhtPut, type LookupKind, type ProbeOptions } from './lookup.js'
