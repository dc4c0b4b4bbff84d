/**
 * What a mesh node does for agents across the cluster: routes envelopes to the node that runs
 * their target, answers other nodes (deploy, component blobs, agent lists, stop, logs), places
 * new agents, and keeps each agent's recent log lines.
 *
 * @example
 * ```ts
 * const services = new MeshServices({ mesh, membership, kernel, store, directory, logs, logger })
 * await services.start()
 * const { reply } = await services.request('cli:me', 'hello', '{"n":1}', 30_000)
 * ```
 */
export { MeshServices, type ServicesDeps } from './services.js'
export { AgentLogs } from './agent-logs.js'
export { gossipOwnAgents, GOSSIP_LIMIT, learnFromBeat } from './agent-gossip.js'
export { fromWire, IPC_PROTOCOL, ipcSchema, NODE_PROTOCOL, nodeSchema, toWire, type NodeRequest, type WireEnvelope } from './frames.js'
