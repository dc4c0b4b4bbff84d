/**
 * What a mesh node does for agents across the cluster: routes envelopes to the node that runs
 * their target, answers other nodes (deploy, component blobs, agent lists, stop, logs), places
 * new agents, and keeps each agent's recent log lines.
 *
 * @example
 * ```ts
 * const services = new ClusterServices({ mesh, membership, kernel, store, directory, logs, logger })
 * await services.start()
 * const { reply } = await services.request('cli:me', 'hello', '{"n":1}', 30_000)
 * ```
 */
export { ClusterServices, type ClusterServicesComponents } from './cluster-services.js'
export { IpcRouter, type IpcRouterComponents } from './ipc-router.js'
export { Deployer, type DeployerComponents, type DeployFrame } from './deployer.js'
export { NodeRpc, BLOB_CHUNK, type NodeRpcComponents } from './node-rpc.js'
export { ClusterQueries, type ClusterQueriesComponents } from './cluster-queries.js'
export { nodeSummary, peerView } from './member-views.js'
export { AgentExistsError, NodesUnreachableError } from './errors.js'
export { arbiterOf, IdArbiter, type Grant } from './id-arbiter.js'
export { AgentLogs } from './agent-logs.js'
export { gossipOwnAgents, GOSSIP_LIMIT, learnFromBeat } from './agent-gossip.js'
export { fromWire, IPC_PROTOCOL, ipcSchema, NODE_PROTOCOL, nodeSchema, toWire, type NodeRequest, type WireEnvelope } from './frames.js'
