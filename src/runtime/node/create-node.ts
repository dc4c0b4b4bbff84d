import path from 'node:path'
import type { ClusterServices } from '../cluster/index.js'
import { throwIfAborted } from '../errors.js'
import { detectHardware, type HardwareProfile } from '../hal/index.js'
import { AgentNotFoundError, Kernel } from '../kernel/index.js'
import { defaultLogger, type Logger } from '../logger.js'
import { readAgentFile } from '../manifest/index.js'
import { NodeStore } from '../store/index.js'
import { createTensorEngine } from '../tensor/index.js'
import type { AgentInfo, NodeStatus } from '../types/index.js'
import { ComponentLoader, hashBytes } from '../wasm/index.js'
import { defaultDataDir } from './data-dir.js'
import type { MeshNodeInit, MeshParts } from './mesh-parts.js'
import { restoreAgents, type RestoreReport } from './restore.js'

/** Parts a caller may supply instead of the defaults (tests, benchmarks, embedders). */
export interface NodeComponents {
  /** @default `defaultLogger('node')` (DEBUG=mielin:node) */
  logger: Logger
  /** What this machine is. @default probed with `detectHardware()` */
  hardware: HardwareProfile
}

export interface NodeInit {
  /** Where the node keeps its state. @default `defaultDataDir('node')` for a mesh node, else `defaultDataDir('local')` */
  dataDir?: string
  /** Worker threads for agents. @default the CPUs this process may use */
  workers?: number
  /** Bring back the agents of a previous run from their checkpoints. @default true */
  restore?: boolean
  /** Join the cluster this data dir belongs to (`mielin mesh start`). @default a node of its own, with no mesh */
  mesh?: MeshNodeInit
  signal?: AbortSignal
}

/** The mesh side of a running node. */
export interface MeshNode {
  readonly peerId: string
  readonly addrs: string[]
  /** Requests and sends to agents anywhere, deploys, cluster-wide lists. */
  readonly cluster: ClusterServices
  readonly status: () => NodeStatus
}

export interface MielinNode {
  readonly dataDir: string
  readonly kernel: Kernel
  /** The data dir's datastore, blobs and checkpoints (shared with the mesh). */
  readonly store: NodeStore
  readonly restoreReport: RestoreReport
  /** Present when the node joined the mesh. */
  readonly mesh?: MeshNode
  /** Deploys a built agent (.wasm with its manifest embedded or beside it) on this node. */
  deployFile: (file: string, options?: { id?: string, caps?: string[], namespace?: string }) => Promise<AgentInfo>
  /** Resolves when the node has stopped (stop(), Ctrl-C through the signal, or `mielin mesh leave`). */
  readonly stopped: Promise<void>
  stop: () => Promise<void>
}

/**
 * Builds and starts a node: its store, hardware profile, WebAssembly host and kernel, then
 * — with `init.mesh` — the mesh, membership, directory, cluster services and control API,
 * each started in order, and the agents of the previous run restored from their checkpoints.
 */
export async function createNode (components: Partial<NodeComponents> = {}, init: NodeInit = {}): Promise<MielinNode> {
  throwIfAborted(init.signal)
  const dataDir = path.resolve(init.dataDir ?? defaultDataDir(init.mesh === undefined ? 'local' : 'node'))
  const logger = components.logger ?? defaultLogger('node')
  // libp2p and the rest of the mesh half load only for a mesh node: `agent run` starts without them
  const meshHalf = init.mesh === undefined ? undefined : await import('./mesh-parts.js')
  const cluster = await meshHalf?.loadClusterOf(dataDir) // before anything opens the data dir
  const hardware = components.hardware ?? (init.workers === undefined || init.mesh !== undefined ? await detectHardware({ signal: init.signal }) : undefined)
  const workers = init.workers ?? Math.max(1, Math.floor(hardware?.limits.cpus ?? hardware?.cpu.logicalCores ?? 1))
  const store = await NodeStore.open(dataDir)
  const loader = new ComponentLoader({ cacheDir: path.join(dataDir, 'cache', 'components'), logger })
  let mesh: MeshParts | undefined
  const kernel = new Kernel({
    loader,
    store,
    logger,
    tensor: async () => await createTensorEngine({ hardware }),
    // The mesh half is built next, around this kernel; it routes what the kernel cannot deliver.
    router: init.mesh === undefined
      ? undefined
      : (e) => {
          if (mesh === undefined) throw new AgentNotFoundError(`No agent "${e.to}" on this node, and its mesh is not up yet.`, undefined, { suggestions: ['Try again once `mielin mesh status` answers.'] })
          mesh.route(e)
        }
  }, { workers })

  let stopping: Promise<void> | undefined
  let resolveStopped!: () => void
  const stopped = new Promise<void>((resolve) => { resolveStopped = resolve })
  const stop = async (): Promise<void> => {
    stopping ??= (async () => {
      await mesh?.stop()
      await kernel.drain()
      await kernel.stop()
      await store.close()
      resolveStopped()
    })()
    await stopping
  }

  try {
    if (meshHalf !== undefined && init.mesh !== undefined && cluster !== undefined && hardware !== undefined) {
      mesh = await meshHalf.meshParts({ dataDir, kernel, store, hardware, logger }, init.mesh, cluster, () => { void stop() })
    }
    const restoreReport = init.restore === false ? { restored: [], failed: [] } : await restoreAgents(kernel, store)
    await mesh?.start(init.signal)
    init.signal?.addEventListener('abort', () => { void stop() }, { once: true })
    return {
      dataDir,
      kernel,
      store,
      restoreReport,
      ...(mesh === undefined ? {} : { mesh: meshView(mesh) }),
      stopped,
      stop,
      async deployFile (file, options = {}) {
        const { bytes, manifest } = await readAgentFile(file)
        const id = options.id ?? manifest.name
        const deploy = { component: bytes, manifest, id, caps: options.caps, namespace: options.namespace }
        if (!kernel.has(id)) return await kernel.deploy(deploy)
        // The same code is already running (restored): keep it and its state. New code for
        // the same id replaces the old one and starts from the old one's last checkpoint.
        if (kernel.info(id).hash === hashBytes(bytes)) return kernel.info(id)
        const state = await store.getCheckpoint(id)
        await kernel.stopAgent(id)
        return await kernel.deploy({ ...deploy, state })
      }
    }
  } catch (err) {
    await stop()
    throw err
  }
}

function meshView (m: MeshParts): MeshNode {
  return { peerId: m.mesh.peerId.toString(), addrs: m.mesh.multiaddrs().map(String), cluster: m.cluster, status: m.status }
}
