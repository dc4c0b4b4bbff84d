/**
 * The types several layers share: an agent's manifest, the envelope agents exchange, what a
 * node tells of its hardware and of its agents, and the node API's requests and answers.
 * This is the bottom layer: it imports nothing of mielin, so every layer may import it.
 *
 * @example
 * ```ts
 * import type { AgentManifest, Envelope, AgentInfo } from '../types/index.js'
 * ```
 */
export type { AgentManifest, CapabilityName, PlacementSpec, ResourceLimitsSpec, RestartPolicy } from './manifest.js'
export { MAX_GRANT_CHARS, MAX_GRANTS, MAX_PAYLOAD_BYTES, type Envelope, type EnvelopeKind } from './envelope.js'
export type { HardwareSummary } from './hardware.js'
export type { AgentInfo, AgentStatus } from './agent.js'
export type { AgentList, AgentView, DeployParams, LogLine, NodeStatus, PeerView, Placement, SendParams, SendResult, UnavailableAgent, UnreachableNode } from './node-api.js'
