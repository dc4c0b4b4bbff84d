import type { Member } from '../mesh/index.js'
import type { NodeSummary } from '../placement/index.js'
import type { HardwareSummary, PeerView } from '../types/index.js'

/** What the cluster knows of its members (their last heartbeats), in the shapes its users want. */

/** A member as placement sees it. */
export function nodeSummary (m: Member): NodeSummary {
  return {
    peerId: m.peerId, name: m.name, labels: m.labels, state: m.state,
    hardware: m.hardware as unknown as HardwareSummary,
    load: { agents: m.load.agents, cpu: m.load.cpu, memory: 0 }
  }
}

/** A member as `mesh peers` shows it. */
export function peerView (m: Member, now = Date.now()): PeerView {
  return {
    peerId: m.peerId, name: m.name, self: m.self, state: m.state, addrs: m.addrs, labels: m.labels,
    hardware: m.hardware as unknown as HardwareSummary, load: m.load, lastSeenMs: now - m.lastHeardAt
  }
}
