import type { HardwareSummary } from './hardware.js'
import type { AgentInfo } from './agent.js'

/**
 * The control API of a mesh node: what the CLI (over the local socket) and operators (over
 * the libp2p control protocol, with a token) may ask. One type per method's result.
 */

export interface NodeStatus {
  peerId: string
  name: string
  addrs: string[]
  labels: Record<string, string>
  dataDir: string
  peers: { alive: number, suspect: number, dead: number }
  agents: number
  uptimeMs: number
}

export interface PeerView {
  peerId: string
  name: string
  self: boolean
  state: 'alive' | 'suspect' | 'dead' | 'left'
  addrs: string[]
  labels: Record<string, string>
  hardware: HardwareSummary
  load: { agents: number, messagesPerSec: number, cpu: number, memory: number }
  lastSeenMs: number
}

export interface DeployParams {
  /** Path to the .wasm on the node's machine (the local CLI passes an absolute path). */
  file?: string
  /** Or the component itself, base64 (remote operators). */
  wasm?: string
  name?: string
  namespace?: string
  replicas?: number
  /** Deploy on this node (peer id or name), skipping placement. */
  node?: string
  require?: string[]
  caps?: string[]
  /** New code for the agent already running under this id, on its node, keeping its state. */
  replace?: boolean
}

export interface Placement {
  agent: string
  node: string
  nodeName: string
  epoch: number
  /** With `replace`: the agent it replaced, and whether its state came along (not when its node is gone). */
  replaced?: { nodeName: string, stateKept: boolean }
}

export interface AgentView extends AgentInfo { node: string, nodeName: string }

/** A node that did not answer a cluster-wide question, and why. */
export interface UnreachableNode {
  node: string
  nodeName: string
  /** `code` says why for a script: E_MESH_TIMEOUT, E_PEER_REFUSED, E_NODE_UNREACHABLE, E_NODE_DEAD, or the node's own error. */
  error: { code: string, message: string }
}

/** `agent.list`: the agents of the nodes that answered, and each node that did not. */
/** An agent whose node left or died: known from that node's last heartbeat. */
export interface UnavailableAgent {
  id: string
  epoch: number
  /** As its node last said (absent from nodes of older versions). */
  namespace?: string
  node: string
  nodeName: string
  /** `code`: E_NODE_LEFT or E_NODE_DEAD; `message`: "node c left 3 min ago". */
  why: { code: string, message: string }
}

export interface AgentList {
  agents: AgentView[]
  /** Agents the cluster knows whose node left or died. */
  unavailable: UnavailableAgent[]
  unreachable: UnreachableNode[]
}

export interface SendParams { id: string, payload: string, wait?: boolean, timeoutMs?: number }
export interface SendResult { id: string, node: string, reply?: unknown, messageId?: string }

export interface LogLine { seq: number, ts: number, agent: string, level: string, message: string }
