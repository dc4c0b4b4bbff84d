import os from 'node:os'
import { hardwareSummary } from '../placement/index.js'
import { ControlServer, controlSocketPath } from '../control/index.js'
import { throwIfAborted } from '../errors.js'
import { detectHardware } from '../hal/index.js'
import type { Logger } from '../logger.js'
import { defaultLogger } from '../logger.js'
import { loadCluster, loadOrCreateIdentity, NoClusterError } from '../mesh/index.js'
import { DhtDirectory, RECORD_PREFIX, selectRecord, verifyRecord } from '../mesh/index.js'
import { createMembership, Mesh, type DhtInit, type MembershipEvent } from '../mesh/index.js'
import { createNode } from './local-node.js'
import { controlHandlers, serveRemoteControl } from '../api/index.js'
import { AgentLogs } from '../cluster/index.js'
import { MeshServices } from '../cluster/index.js'
import type { NodeStatus } from '../types/index.js'

/**
 * A mesh node: the local node (store, kernel, WebAssembly host) joined to the cluster —
 * libp2p mesh, membership with signed heartbeats, the agent directory, node-to-node
 * services, and the control API on a local socket and over libp2p (with tokens).
 */
export interface MeshNodeInit {
  dataDir: string
  host: string
  port: number
  /** Nodes to dial at start (HOST:PORT or multiaddrs), besides the cluster's bootstrap list. */
  join?: string[]
  name?: string
  labels?: Record<string, string>
  mdns?: boolean
  workers?: number
  /** Faster failure detection, for tests. */
  heartbeatMs?: number
  /** Routing-table tuning, for the DHT bench (a sparse table makes lookups take several hops). @default kad-dht's */
  dht?: Pick<DhtInit, 'kBucketSize' | 'prefixLength'>
  logger?: Logger
  signal?: AbortSignal
  onMembership?: (e: MembershipEvent) => void
}

export interface MeshNodeHandle {
  peerId: string
  addrs: string[]
  /** For programs that embed a node: request/send to agents anywhere, deploy, list. */
  services: MeshServices
  status: () => NodeStatus
  /** Resolves when the node has stopped (Ctrl-C, `mielin mesh leave`, or stop()). */
  stopped: Promise<void>
  stop: () => Promise<void>
}

export async function startMeshNode (init: MeshNodeInit): Promise<MeshNodeHandle> {
  throwIfAborted(init.signal)
  const logger = init.logger ?? defaultLogger('node')
  const started = Date.now()
  const cluster = await loadCluster(init.dataDir).catch((err: unknown) => {
    if (!(err instanceof NoClusterError)) throw err
    throw new NoClusterError(err.message, undefined, {
      cause: err,
      suggestions: [`mielin mesh init --data-dir ${init.dataDir}   (the first node of a new cluster)`, `mielin mesh join TOKEN --data-dir ${init.dataDir}   (the others)`]
    })
  })
  const privateKey = await loadOrCreateIdentity(init.dataDir)
  const hw = await detectHardware({ signal: init.signal })
  const node = await createNode({ dataDir: init.dataDir, workers: init.workers, logger, signal: init.signal })
  const { kernel } = node
  const logs = new AgentLogs(kernel)

  const mesh = new Mesh({
    privateKey, clusterKey: cluster.clusterKey, host: init.host, port: init.port, mdns: init.mdns,
    bootstrap: cluster.bootstrap.filter((a) => a.includes('/p2p/')),
    join: [...(init.join ?? []), ...cluster.bootstrap.filter((a) => !a.includes('/p2p/'))],
    dht: {
      ...init.dht,
      validators: { 'mielin-agent': async (key, value) => { await verifyRecord(key, value) } },
      selectors: { 'mielin-agent': selectRecord }
    }
  }, { logger })
  const name = init.name ?? cluster.name ?? os.hostname()
  let processed = 0
  let rate = 0
  const membership = createMembership({ mesh, logger }, {
    name,
    labels: init.labels ?? {},
    hardware: { ...hardwareSummary(hw) },
    intervalMs: init.heartbeatMs,
    suspectAfterMs: init.heartbeatMs === undefined ? undefined : init.heartbeatMs * 3,
    deadAfterMs: init.heartbeatMs === undefined ? undefined : init.heartbeatMs * 6,
    load: () => {
      const agents = kernel.list()
      const now = agents.reduce((n, a) => n + a.processed, 0)
      rate = Math.max(0, now - processed) * 1000 / (init.heartbeatMs ?? 1000)
      processed = now
      return { agents: agents.length, messagesPerSec: rate }
    },
    // Gossip of who runs what: the directory's fastest source.
    extra: () => ({ agents: kernel.list().slice(0, 200).map((a) => a.id) })
  })

  let services: MeshServices | undefined
  const directory = new DhtDirectory({
    self: mesh.peerId.toString(),
    privateKey,
    dht: {
      put: async (key, value, options) => { for await (const _ of mesh.libp2p.services.dht.put(key, value, options)) { /* drain events */ } },
      get: async (key, options) => await mesh.libp2p.contentRouting.get(key, options)
    },
    askPeers: async (agent, options) => await services?.askPeers(agent, options?.signal),
    logger
  })
  membership.onHeartbeat((beat) => {
    const agents = (beat.extra as { agents?: unknown } | undefined)?.agents
    if (!Array.isArray(agents) || beat.peerId === mesh.peerId.toString()) return
    for (const agent of agents) if (typeof agent === 'string') directory.learn({ agent, node: beat.peerId, epoch: 0, ts: beat.ts })
  })
  services = new MeshServices({ mesh, membership, kernel, store: node.store, directory, logs, logger })

  let resolveStopped!: () => void
  const stopped = new Promise<void>((resolve) => { resolveStopped = resolve })
  const status = (): NodeStatus => {
    const members = membership.members()
    const count = (s: string): number => members.filter((m) => !m.self && m.state === s).length
    return {
      peerId: mesh.peerId.toString(), name, addrs: mesh.multiaddrs().map(String), labels: init.labels ?? {}, dataDir: node.dataDir,
      peers: { alive: count('alive'), suspect: count('suspect'), dead: count('dead') }, agents: kernel.list().length, uptimeMs: Date.now() - started
    }
  }
  let stopping: Promise<void> | undefined
  const stop = async (): Promise<void> => {
    stopping ??= (async () => {
      await control.stop().catch(() => {})
      await membership.stop().catch(() => {}) // a last beat says "leaving"…
      // …but channels batch frames: give that beat a moment on the wire before closing them.
      await new Promise((resolve) => setTimeout(resolve, 300))
      await mesh.stop().catch(() => {})
      await node.stop()
      resolveStopped()
    })()
    await stopping
  }
  const { handlers, streams } = controlHandlers({ services, mesh, status, leave: () => { void stop() } })
  const control = new ControlServer({ socketPath: controlSocketPath(node.dataDir), handlers, streams, logger })

  try {
    await control.start() // first: refuses to start when another node uses this data dir
    await services.start()
    await serveRemoteControl(mesh, handlers, cluster.adminPublicKey, services)
    await mesh.start({ signal: init.signal })
    await membership.start()
    if (init.onMembership !== undefined) membership.events.on(init.onMembership)
    // The agents that came back from the checkpoints are ours: say so in the directory.
    for (const a of kernel.list()) {
      const previous = await directory.get(a.id).catch(() => undefined)
      await directory.compareAndSet(a.id, previous?.epoch, { node: mesh.peerId.toString(), epoch: (previous?.epoch ?? 0) + 1 }).catch(() => {})
    }
  } catch (err) {
    await stop()
    throw err
  }
  init.signal?.addEventListener('abort', () => { void stop() }, { once: true })
  return { peerId: mesh.peerId.toString(), addrs: mesh.multiaddrs().map(String), services, status, stopped, stop }
}
