import type { Member } from '../mesh/index.js'
import type { NodeSummary } from '../placement/index.js'
import type { HardwareSummary, PeerView } from '../types/index.js'

/** What the cluster knows of its members (their last heartbeats), in the shapes its users want. */

/** A member as placement sees it. */
export function nodeSummary (m: Member): NodeSummary {
  return {
    peerId: m.peerId, name: m.name, labels: m.labels, state: m.state,
    hardware: m.hardware as unknown as HardwareSummary,
    load: { agents: m.load.agents, cpu: m.load.cpu, memory: memoryInUse(m) }
  }
}

/**
 * The share of a node's memory in use, 0..1. A heartbeat carries the bytes the node's process
 * holds (RSS) and, in its hardware summary, the bytes it may use (its container's limit, else
 * the machine's); placement adds this share to the CPU share, so it must be a fraction too.
 * A node that does not say how much memory it has is scored on agents and CPU alone (0).
 */
export function memoryInUse (m: Pick<Member, 'hardware' | 'load'>): number {
  const total = m.hardware.memoryBytes
  if (typeof total !== 'number' || !(total > 0)) return 0
  return Math.min(1, m.load.memory / total)
}

/** A member as `mesh peers` shows it (memory in bytes, as the heartbeat says). */
export function peerView (m: Member, now = Date.now()): PeerView {
  return {
    peerId: m.peerId, name: m.name, self: m.self, state: m.state, addrs: m.addrs, labels: m.labels,
    hardware: m.hardware as unknown as HardwareSummary, load: m.load, lastSeenMs: now - m.lastHeardAt
  }
}
