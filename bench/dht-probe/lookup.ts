import type { PeerId } from '@libp2p/interface'
import type { KadDHT, SingleKadDHT } from '@libp2p/kad-dht'
import { throwIfAborted } from '../../src/runtime/errors.js'
import { countHops, toHopEvent, type HopEvent } from './hops.js'

export type LookupKind = 'get' | 'closest'

export interface DhtLookup {
  kind: LookupKind
  /** Until the query ended: what a caller of `get` (such as the directory) waits for. */
  ms: number
  /** Until the first remote peer answered with the record (get only). */
  valueMs?: number
  /** get: a remote peer answered with the record; closest: the query named at least one peer. */
  found: boolean
  /** get: the depth of the first remote peer with the record; closest: the deepest peer picked. */
  hops?: number
  /** The deepest peer the query picked. */
  maxDepth: number
  queried: number
  /** get: the asking node had the record in its own store. */
  local: boolean
  /** Peers in the asking node's routing table when the query started. */
  routingTable: number
}

export interface ProbeOptions {
  signal?: AbortSignal
  /** @default 30000 */
  timeoutMs?: number
}

/** Runs one DHT query for `key` and measures its time and hops (see countHops). */
export async function probeLookup (dht: KadDHT, self: PeerId, kind: LookupKind, key: Uint8Array, options: ProbeOptions = {}): Promise<DhtLookup> {
  throwIfAborted(options.signal)
  const signal = withTimeout(options)
  const routingTable = routingTableSize(dht)
  const events: HopEvent[] = []
  let valueMs: number | undefined
  let finalPeers = 0
  const t0 = performance.now()
  const query = kind === 'get' ? dht.get(key, { signal }) : dht.getClosestPeers(key, { signal })
  for await (const e of query) {
    if (e.name === 'FINAL_PEER') finalPeers++
    const h = toHopEvent(e)
    if (h === undefined) continue
    events.push(h)
    if (h.name === 'PEER_RESPONSE' && h.record && valueMs === undefined) valueMs = performance.now() - t0
  }
  const ms = performance.now() - t0
  const hops = countHops(events, self.toString())
  const found = kind === 'get' ? hops.valueDepth !== undefined : finalPeers > 0
  return {
    kind, ms, valueMs, found,
    hops: kind === 'get' ? hops.valueDepth : hops.maxDepth,
    maxDepth: hops.maxDepth, queried: hops.queried, local: hops.local, routingTable
  }
}

export interface DhtPut {
  ms: number
  /** Remote peers that confirmed they stored the record. */
  storedOn: number
}

/** Stores a record in the DHT (locally and on the closest peers the query finds). */
export async function probePut (dht: KadDHT, key: Uint8Array, value: Uint8Array, options: ProbeOptions = {}): Promise<DhtPut> {
  throwIfAborted(options.signal)
  const signal = withTimeout(options)
  let storedOn = 0
  const t0 = performance.now()
  for await (const e of dht.put(key, value, { signal })) {
    if (e.name === 'PEER_RESPONSE' && e.messageName === 'PUT_VALUE') storedOn++
  }
  return { ms: performance.now() - t0, storedOn }
}

/** Peers in the routing table; kad-dht has one table unless it runs a LAN and a WAN DHT. */
export function routingTableSize (dht: KadDHT): number {
  return (dht as Partial<SingleKadDHT>).routingTable?.size ?? 0
}

function withTimeout (options: ProbeOptions): AbortSignal {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000)
  return options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout])
}
