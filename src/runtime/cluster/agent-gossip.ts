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

/** Takes in another node's gossip: each well-formed `[id, epoch]` pair becomes a cache entry. */
export function learnFromBeat (directory: { learn: (e: DirectoryEntry) => void }, self: string, beat: Pick<Heartbeat, 'peerId' | 'ts' | 'extra'>): void {
  const agents = (beat.extra as { agents?: unknown } | undefined)?.agents
  if (!Array.isArray(agents) || beat.peerId === self) return
  for (const pair of agents) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || !Number.isSafeInteger(pair[1]) || (pair[1] as number) < 1) continue
    directory.learn({ agent: pair[0], node: beat.peerId, epoch: pair[1] as number, ts: beat.ts })
  }
}
