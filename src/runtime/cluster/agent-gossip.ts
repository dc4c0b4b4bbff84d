import type { Directory, DirectoryEntry, Heartbeat, JsonValue } from '../mesh/index.js'

/**
 * The `agents` extension of a heartbeat: which agents the beating node owns, each with the
 * epoch of its directory entry, so that peers' directory caches learn where an agent runs
 * without a DHT lookup. Agents whose entry is not written yet are left out: a guessed epoch
 * would let the cache prefer a stale owner.
 */

/** At most this many agents per beat (a beat has a size limit). */
export const GOSSIP_LIMIT = 200

/**
 * What this node publishes: `[id, epoch, namespace]` of the agents it hosts and owns (the
 * namespace lets a namespaced token see the agent once this node is gone).
 */
export function gossipOwnAgents (directory: Pick<Directory, 'known'>, self: string, hosted: Iterable<{ id: string, namespace: string }>): Record<string, JsonValue> {
  const owned = new Map(directory.known().filter((e) => e.node === self).map((e) => [e.agent, e.epoch]))
  const agents: Array<[string, number, string]> = []
  for (const { id, namespace } of hosted) {
    const epoch = owned.get(id)
    if (epoch !== undefined) agents.push([id, epoch, namespace])
    if (agents.length === GOSSIP_LIMIT) break
  }
  return { agents }
}

/**
 * The directory entry of an agent this node hosts: its own entry when the directory has it,
 * else epoch 0 (deployed here, not claimed in the directory yet).
 */
export function hostedEntry (directory: { cached: (agent: string) => DirectoryEntry | undefined }, self: string, agent: string): DirectoryEntry {
  const entry = directory.cached(agent)
  return entry?.node === self ? entry : { agent, node: self, epoch: 0, ts: Date.now() }
}

export interface GossipedAgent { id: string, epoch: number, namespace?: string }

/**
 * The agents a beat gossips, each well-formed `[id, epoch, namespace?]` (epoch a whole number
 * from 1; the namespace is absent from nodes of older versions); the rest is skipped.
 */
export function gossipedAgents (extra: Heartbeat['extra']): GossipedAgent[] {
  const agents = (extra as { agents?: unknown } | undefined)?.agents
  if (!Array.isArray(agents)) return []
  const out: GossipedAgent[] = []
  for (const p of agents) {
    if (!Array.isArray(p) || typeof p[0] !== 'string' || !Number.isSafeInteger(p[1]) || (p[1] as number) < 1) continue
    out.push(typeof p[2] === 'string' ? { id: p[0], epoch: p[1] as number, namespace: p[2] } : { id: p[0], epoch: p[1] as number })
  }
  return out
}

/** Takes in another node's gossip: each well-formed agent becomes a cache entry. */
export function learnFromBeat (directory: { learn: (e: DirectoryEntry) => void }, self: string, beat: Pick<Heartbeat, 'peerId' | 'ts' | 'extra'>): void {
  if (beat.peerId === self) return
  for (const a of gossipedAgents(beat.extra)) directory.learn({ agent: a.id, node: beat.peerId, epoch: a.epoch, ts: beat.ts })
}
