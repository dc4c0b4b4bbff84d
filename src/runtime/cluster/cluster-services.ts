import type { Kernel } from '../kernel/index.js'
import type { Logger } from '../logger.js'
import type { DhtDirectory, DirectoryEntry, Membership, Mesh } from '../mesh/index.js'
import type { NodeSummary } from '../placement/index.js'
import type { NodeStore } from '../store/index.js'
import type { AgentList, AgentManifest, DeployParams, Envelope, LogLine, PeerView, Placement } from '../types/index.js'
import type { AgentLogs } from './agent-logs.js'
import { ClusterQueries } from './cluster-queries.js'
import { Deployer } from './deployer.js'
import { IdArbiter } from './id-arbiter.js'
import { IpcRouter } from './ipc-router.js'
import { NodeRpc } from './node-rpc.js'

export interface ClusterServicesComponents {
  mesh: Mesh
  membership: Membership
  kernel: Kernel
  store: NodeStore
  directory: DhtDirectory
  logs: AgentLogs
  logger: Logger
}

/**
 * What a mesh node does for agents across the cluster, in one place for the node and its
 * control API: the IPC router (envelopes to the node that runs their target), the deployer
 * (placement, deploy here or on a peer), the id arbiter (one owner per agent id), the node RPC (answers to the other nodes) and the
 * cluster queries (every node's agents, requests run where an agent lives).
 */
export class ClusterServices {
  readonly router: IpcRouter
  readonly deployer: Deployer
  readonly arbiter: IdArbiter
  readonly rpc: NodeRpc
  readonly queries: ClusterQueries

  constructor (components: ClusterServicesComponents) {
    const { mesh, membership, kernel, store, directory, logs, logger } = components
    this.router = new IpcRouter({ mesh, membership, kernel, directory, logger })
    this.arbiter = new IdArbiter({ mesh, membership, directory, kernel })
    this.deployer = new Deployer({ mesh, membership, kernel, store, directory, arbiter: this.arbiter, logger })
    this.rpc = new NodeRpc({ mesh, kernel, store, directory, logs, deployer: this.deployer, arbiter: this.arbiter })
    this.queries = new ClusterQueries({ mesh, membership, rpc: this.rpc, router: this.router })
  }

  /** Serves the ipc and node protocols. */
  async start (): Promise<void> {
    await this.router.start()
    await this.rpc.start()
  }

  /** For the kernel: envelopes to agents this node does not host. */
  route (e: Envelope): void { this.router.route(e) }

  async locate (id: string, signal?: AbortSignal): Promise<DirectoryEntry> { return await this.router.locate(id, signal) }

  async request (from: string, to: string, payload: string, timeoutMs: number, signal?: AbortSignal): Promise<{ node: string, reply?: string }> {
    return await this.router.request(from, to, payload, timeoutMs, signal)
  }

  async send (from: string, to: string, payload: string, signal?: AbortSignal): Promise<{ node: string, messageId: string }> {
    return await this.router.send(from, to, payload, signal)
  }

  async deploy (p: DeployParams & { bytes: Uint8Array, manifest: AgentManifest }, signal?: AbortSignal): Promise<Placement[]> {
    return await this.deployer.deploy(p, signal)
  }

  peers (): PeerView[] { return this.queries.peers() }

  summaries (): NodeSummary[] { return this.queries.summaries() }

  /** Every node's agents, and the nodes that did not answer. */
  async listAgents (signal?: AbortSignal): Promise<AgentList> { return await this.queries.listAgents(signal) }

  async onOwner<T> (id: string, frame: Parameters<ClusterQueries['onOwner']>[1], signal?: AbortSignal): Promise<{ node: string, result: T }> {
    return await this.queries.onOwner<T>(id, frame, signal)
  }

  /** An agent's log lines, then each new one, streamed from its node. */
  followLogs (id: string, signal: AbortSignal): AsyncGenerator<LogLine, void, undefined> { return this.queries.followLogs(id, signal) }

  async askPeers (id: string, signal?: AbortSignal): Promise<DirectoryEntry | undefined> { return await this.queries.askPeers(id, signal) }
}
