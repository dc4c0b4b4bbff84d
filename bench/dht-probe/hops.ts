import type { QueryEvent } from '@libp2p/kad-dht'

/**
 * A kad-dht query event reduced to what hop counting needs, with peer ids as strings.
 * DIAL_PEER and SEND_QUERY both mean "the query picked this peer" (kad-dht emits DIAL_PEER
 * as it starts on a peer and SEND_QUERY once a stream is open, which can be much later).
 */
export type HopEvent =
  | { name: 'DIAL_PEER' | 'SEND_QUERY', to: string }
  | { name: 'PEER_RESPONSE', from: string, closer: string[], record: boolean }
  | { name: 'VALUE', from: string }
  | { name: 'QUERY_ERROR', from: string }

export interface Hops {
  /** Distinct peers the query picked. */
  queried: number
  /** The deepest peer picked (0 when none was). */
  maxDepth: number
  /** The depth of the first remote peer that answered with the record, if one did. */
  valueDepth?: number
  /** Whether the asking node had the record in its own store (kad-dht checks it first). */
  local: boolean
}

/**
 * Hops of one lookup. A peer picked without having been named by anyone is depth 1 (it came
 * from the local routing table); a peer first named in the closer peers of a depth-d peer's
 * answer is depth d+1. Events must be in the order the query emitted them: kad-dht emits
 * DIAL_PEER for all its starting peers before any answer can arrive.
 */
export function countHops (events: Iterable<HopEvent>, self: string): Hops {
  const depth = new Map<string, number>()
  const queried = new Set<string>()
  let maxDepth = 0
  let valueDepth: number | undefined
  let local = false
  const depthOf = (peer: string): number => depth.get(peer) ?? 1
  const gotValue = (from: string): void => {
    if (from === self) local = true
    else valueDepth ??= depthOf(from)
  }
  for (const e of events) {
    if (e.name === 'DIAL_PEER' || e.name === 'SEND_QUERY') {
      if (!depth.has(e.to)) depth.set(e.to, 1)
      queried.add(e.to)
      maxDepth = Math.max(maxDepth, depthOf(e.to))
    } else if (e.name === 'PEER_RESPONSE') {
      const next = depthOf(e.from) + 1
      for (const c of e.closer) if (!depth.has(c) && c !== self) depth.set(c, next)
      if (e.record) gotValue(e.from)
    } else if (e.name === 'VALUE') {
      gotValue(e.from)
    }
  }
  return { queried: queried.size, maxDepth, valueDepth, local }
}

/**
 * The part of a kad-dht event that countHops reads; other events (final peers, path ends)
 * are dropped. So are the PUT_VALUE sends of a get's record correction: they go to peers
 * the query has already picked.
 */
export function toHopEvent (e: QueryEvent): HopEvent | undefined {
  switch (e.name) {
    case 'DIAL_PEER': return { name: e.name, to: e.peer.toString() }
    case 'SEND_QUERY': return e.messageName === 'PUT_VALUE' ? undefined : { name: e.name, to: e.to.toString() }
    case 'PEER_RESPONSE': return { name: e.name, from: e.from.toString(), closer: e.closer.map((p) => p.id.toString()), record: e.record != null }
    case 'VALUE': return { name: e.name, from: e.from.toString() }
    case 'QUERY_ERROR': return { name: e.name, from: e.from.toString() }
    default: return undefined
  }
}
