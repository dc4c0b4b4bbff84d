import os from 'node:os'
import { controlHandlers, serveRemoteControl } from '../api/index.js'
import { AgentLogs, ClusterServices, gossipOwnAgents, learnFromBeat } from '../cluster/index.js'
import { ControlServer, controlSocketPath, type ControlHandler } from '../control/index.js'
import type { HardwareProfile } from '../hal/index.js'
import type { Kernel } from '../kernel/index.js'
import type { Logger } from '../logger.js'
import {
  createMembership, DhtDirectory, loadCluster, loadOrCreateIdentity, Mesh, NoClusterError, selectRecord, verifyRecord,
  type ClusterConfig, type DhtInit, type Load, type MembershipEvent
} from '../mesh/index.js'
import { hardwareSummary } from '../placement/index.js'
import type { NodeStore } from '../store/index.js'
import type { Envelope, NodeStatus } from '../types/index.js'
import { processLoad } from './process-load.js'

/** How long the members that left or died stay in the member table. */
export const GONE_REMEMBERED_MS = 24 * 3600_000

/** How a node joins the mesh (`mielin mesh start`). */
export interface MeshNodeInit {
  /** Address to listen on, TCP and UDP/QUIC. */
  host: string
  port: number
  /** Nodes to dial at start (HOST:PORT or multiaddrs), besides the cluster's bootstrap list. @default [] */
  join?: string[]
  /** A name for people. @default the cluster file's name, else the host name */
  name?: string
  /** Labels for placement. @default {} */
  labels?: Record<string, string>
  /** Also find peers on the LAN with multicast DNS. @default false */
  mdns?: boolean
  /** Heartbeat interval; suspect after 3 missed, dead after 6. @default 1000 */
  heartbeatMs?: number
  /** Kademlia tuning and extra record namespaces (the DHT bench uses this). @default kad-dht's */
  dht?: DhtInit
  /** Extra control methods on the local socket only (the DHT bench wires its probes in here). @default none */
  localMethods?: (mesh: Mesh) => Record<string, ControlHandler>
  onMembership?: (e: MembershipEvent) => void
}

/** What the mesh half needs from the node it joins. */
export interface MeshPartsComponents {
  dataDir: string
  kernel: Kernel
  store: NodeStore
  hardware: HardwareProfile
  logger: Logger
}

/** The mesh half of a node, built and not yet started. */
export interface MeshParts {
  readonly mesh: Mesh
  readonly cluster: ClusterServices
  readonly status: () => NodeStatus
  /** For the kernel: envelopes to agents this node does not host. */
  readonly route: (e: Envelope) => void
  start: (signal?: AbortSignal) => Promise<void>
  stop: () => Promise<void>
}

/** Reads the data dir's cluster membership; a dir that never joined says how to make it one. */
export async function loadClusterOf (dataDir: string): Promise<ClusterConfig> {
  return await loadCluster(dataDir).catch((err: unknown) => {
    if (!(err instanceof NoClusterError)) throw err
    throw new NoClusterError(err.message, undefined, {
      cause: err,
      suggestions: [`mielin mesh init --data-dir ${dataDir}   (the first node of a new cluster)`, `mielin mesh join TOKEN --data-dir ${dataDir}   (the others)`]
    })
  })
}

/**
 * Builds the libp2p mesh, membership with signed heartbeats, the agent directory, the
 * cluster services and the control API (local socket, and libp2p with tokens) around a
 * node's kernel. `leave` is what `mielin mesh leave` calls.
 */
export async function meshParts (c: MeshPartsComponents, init: MeshNodeInit, cluster: ClusterConfig, leave: () => void): Promise<MeshParts> {
  const { kernel, logger } = c
  const started = Date.now()
  const privateKey = await loadOrCreateIdentity(c.dataDir)
  const mesh = new Mesh({ logger }, {
    privateKey, clusterKey: cluster.clusterKey, host: init.host, port: init.port, mdns: init.mdns,
    bootstrap: cluster.bootstrap.filter((a) => a.includes('/p2p/')),
    join: [...(init.join ?? []), ...cluster.bootstrap.filter((a) => !a.includes('/p2p/'))],
    dht: {
      ...init.dht,
      validators: { ...init.dht?.validators, 'mielin-agent': async (key, value) => { await verifyRecord(key, value) } },
      selectors: { ...init.dht?.selectors, 'mielin-agent': selectRecord }
    }
  })
  const self = mesh.peerId.toString()
  const name = init.name ?? cluster.name ?? os.hostname()
  const labels = init.labels ?? {}
  const intervalMs = init.heartbeatMs ?? 1000
  const directory: DhtDirectory = new DhtDirectory({
    self,
    privateKey,
    dht: {
      put: async (key, value, options) => { for await (const _ of mesh.libp2p.services.dht.put(key, value, options)) { /* drain events */ } },
      get: async (key, options) => await mesh.libp2p.contentRouting.get(key, options)
    },
    askPeers: async (agent, options) => await services.askPeers(agent, options?.signal),
    logger
  })
  const membership = createMembership({ mesh, logger }, {
    name,
    labels,
    hardware: { ...hardwareSummary(c.hardware) },
    intervalMs,
    suspectAfterMs: intervalMs * 3,
    deadAfterMs: intervalMs * 6,
    // a node that left or died is remembered for a day: `agent list` shows its agents as
    // unavailable from its last beat (`mesh peers` hides it sooner, see cli/node-tables.ts)
    forgetAfterMs: GONE_REMEMBERED_MS,
    load: nodeLoad(kernel, intervalMs, hardwareSummary(c.hardware).cores),
    extra: () => gossipOwnAgents(directory, self, kernel.list())
  })
  membership.onHeartbeat((beat) => { learnFromBeat(directory, self, beat) })
  const logs = new AgentLogs(kernel)
  const services: ClusterServices = new ClusterServices({ mesh, membership, kernel, store: c.store, directory, logs, logger })

  const status = (): NodeStatus => {
    const members = membership.members()
    const count = (s: string): number => members.filter((m) => !m.self && m.state === s).length
    return {
      peerId: self, name, addrs: mesh.multiaddrs().map(String), labels, dataDir: c.dataDir,
      peers: { alive: count('alive'), suspect: count('suspect'), dead: count('dead') }, agents: kernel.list().length, uptimeMs: Date.now() - started
    }
  }
  const { handlers, streams } = controlHandlers({ services, mesh, status, leave })
  const control = new ControlServer({ socketPath: controlSocketPath(c.dataDir), handlers: { ...handlers, ...init.localMethods?.(mesh) }, streams, logger })

  return {
    mesh,
    cluster: services,
    status,
    route: (e) => { services.route(e) },
    async start (signal) {
      await control.start() // first: refuses to start when another node uses this data dir
      await services.start()
      await serveRemoteControl({ mesh, handlers, streams, adminPublicKey: cluster.adminPublicKey, services })
      await mesh.start({ signal })
      await membership.start()
      if (init.onMembership !== undefined) membership.events.on(init.onMembership)
      // The agents that came back from their checkpoints are ours: say so in the directory.
      for (const a of kernel.list()) {
        const previous = await directory.get(a.id).catch(() => undefined)
        await directory.compareAndSet(a.id, previous?.epoch, { node: self, epoch: (previous?.epoch ?? 0) + 1 })
          .catch((err: Error) => { logger.error(`cannot claim ${a.id} in the directory: ${err.message}`) })
      }
    },
    async stop () {
      // each part stops even when the one before failed; failures are logged, not thrown
      const logged = (part: string) => (err: Error): void => { logger.error(`stopping the ${part} failed: ${err.message}`) }
      await control.stop().catch(logged('control socket'))
      await membership.stop().catch(logged('membership')) // a last beat says "leaving"…
      // …but channels batch frames: give that beat a moment on the wire before closing them.
      await new Promise((resolve) => setTimeout(resolve, 300))
      await mesh.stop().catch(logged('mesh'))
    }
  }
}

/** The load a heartbeat carries: agents hosted, messages handled per second, and this process's CPU share and RSS, each since the last beat. */
function nodeLoad (kernel: Kernel, intervalMs: number, cores: number): () => Load {
  const rate = messageRate(kernel, intervalMs)
  const own = processLoad({ cores })
  return () => ({ ...rate(), ...own() })
}

/** Agents hosted, and messages handled per second since the last beat. */
function messageRate (kernel: Kernel, intervalMs: number): () => { agents: number, messagesPerSec: number } {
  let processed = 0
  return () => {
    const agents = kernel.list()
    const now = agents.reduce((n, a) => n + a.processed, 0)
    const rate = Math.max(0, now - processed) * 1000 / intervalMs
    processed = now
    return { agents: agents.length, messagesPerSec: rate }
  }
}
