/**
 * One mielin node: the store, the WebAssembly host and the kernel, assembled and started in
 * order, with the agents of a previous run brought back from their last checkpoints. The
 * mesh (libp2p) will join here; for now a node is local.
 *
 * @example
 * ```ts
 * const node = await createNode({ dataDir: '/tmp/node-a' })
 * const agent = await node.deployFile('dist/hello.wasm')
 * console.log(await node.kernel.request('cli:me', agent.id, '{"n":1}'))
 * await node.stop()
 * ```
 */
import os from 'node:os'
import path from 'node:path'
import { readFile } from 'node:fs/promises'
import { parseManifest } from '../manifest/index.js'
import { readManifest } from '../manifest/index.js'
import { throwIfAborted } from '../errors.js'
import { detectHardware } from '../hal/index.js'
import { Kernel, type KernelInit } from '../kernel/index.js'
import { defaultLogger, type Logger } from '../logger.js'
import { NodeStore } from '../store/index.js'
import { createTensorEngine } from '../tensor/index.js'
import { ComponentLoader, hashBytes, WasmInvalidError, FIX_WASM } from '../wasm/index.js'
import type { AgentInfo, AgentManifest } from '../types/index.js'

export interface NodeInit extends KernelInit {
  /** Where the node keeps its state. Default: $MIELIN_HOME or ~/.mielin, then `local`. */
  dataDir?: string
  /** Bring back the agents of a previous run. Default true. */
  restore?: boolean
  logger?: Logger
  signal?: AbortSignal
}

export interface RestoreReport { restored: AgentInfo[], failed: Array<{ id: string, error: string }> }

export interface MielinNode {
  readonly dataDir: string
  readonly kernel: Kernel
  /** The data dir's datastore, blobs and checkpoints (shared with the mesh). */
  readonly store: NodeStore
  readonly restoreReport: RestoreReport
  /** Deploys a built agent (.wasm with its manifest embedded or beside it). */
  deployFile: (file: string, options?: { id?: string, caps?: string[], namespace?: string }) => Promise<AgentInfo>
  stop: () => Promise<void>
}

/**
 * Default data dirs under $MIELIN_HOME (default ~/.mielin): `local` for `mielin agent run`,
 * `node` for a mesh node. They differ so both can run at once (a data dir is locked by its
 * running node).
 */
export const defaultDataDir = (kind: 'local' | 'node' = 'local'): string => path.join(process.env.MIELIN_HOME ?? path.join(os.homedir(), '.mielin'), kind)

export async function createNode (init: NodeInit = {}): Promise<MielinNode> {
  throwIfAborted(init.signal)
  const dataDir = path.resolve(init.dataDir ?? defaultDataDir())
  const logger = init.logger ?? defaultLogger('node')
  const store = await NodeStore.open(dataDir)
  const hw = init.workers === undefined ? await detectHardware({ signal: init.signal }) : undefined
  const workers = init.workers ?? Math.max(1, Math.floor(hw?.limits.cpus ?? hw?.cpu.logicalCores ?? 1))
  const loader = new ComponentLoader({ cacheDir: path.join(dataDir, 'cache', 'components'), logger })
  const kernel = new Kernel({ loader, store, logger, tensor: async () => await createTensorEngine({ hardware: hw }) }, { ...init, workers })
  const restoreReport = init.restore === false ? { restored: [], failed: [] } : await restoreAgents(kernel, store)

  return {
    dataDir,
    kernel,
    store,
    restoreReport,
    async deployFile (file, options = {}) {
      const bytes = await readAgentFile(file)
      const manifest = await manifestFor(file, bytes)
      const id = options.id ?? manifest.name
      if (kernel.has(id)) {
        // The same code is already running (restored): keep it and its state. New code for
        // the same id replaces the old one and starts from the old one's last checkpoint.
        if (kernel.info(id).hash === hashBytes(bytes)) return kernel.info(id)
        const state = await store.getCheckpoint(id)
        await kernel.stopAgent(id)
        return await kernel.deploy({ component: bytes, manifest, id, caps: options.caps, namespace: options.namespace, state })
      }
      return await kernel.deploy({ component: bytes, manifest, id, caps: options.caps, namespace: options.namespace })
    },
    async stop () {
      await kernel.drain()
      await kernel.stop()
      await store.close()
    }
  }
}

async function restoreAgents (kernel: Kernel, store: NodeStore): Promise<RestoreReport> {
  const report: RestoreReport = { restored: [], failed: [] }
  for (const a of await store.listAgents()) {
    try {
      const component = await store.getBlob(a.hash)
      if (component === undefined) throw new Error(`its component ${a.hash.slice(0, 12)} is missing from the data dir`)
      const state = await store.getCheckpoint(a.id)
      report.restored.push(await kernel.deploy({ component, manifest: a.manifest, id: a.id, namespace: a.namespace, caps: a.caps, state }))
    } catch (err) {
      report.failed.push({ id: a.id, error: (err as Error).message })
    }
  }
  return report
}

async function readAgentFile (file: string): Promise<Uint8Array> {
  try {
    return await readFile(file)
  } catch (err) {
    throw new WasmInvalidError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`, 'E_NOT_FOUND', {
      cause: err, suggestions: ['Build the agent first with `mielin agent build`, then pass dist/<name>.wasm.']
    })
  }
}

/** The manifest embedded in the component, else `<name>.manifest.json` beside it. */
async function manifestFor (file: string, bytes: Uint8Array): Promise<AgentManifest> {
  const embedded = readManifest(bytes)
  if (embedded !== undefined) return parseManifest(embedded, file)
  const beside = file.replace(/\.wasm$/, '.manifest.json')
  try {
    return parseManifest(JSON.parse(await readFile(beside, 'utf8')), beside)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  throw new WasmInvalidError(`${file} carries no mielin manifest, and there is no ${path.basename(beside)} beside it.`, 'E_MANIFEST_MISSING', {
    suggestions: [FIX_WASM]
  })
}
