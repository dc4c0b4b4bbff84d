import type { Kernel } from '../kernel/index.js'
import type { NodeStore } from '../store/index.js'
import type { AgentInfo } from '../types/index.js'

/** The agents a node brought back from its data dir at start, and those it could not. */
export interface RestoreReport { restored: AgentInfo[], failed: Array<{ id: string, error: string }> }

/** Deploys every agent the store remembers, from its stored component and last checkpoint. */
export async function restoreAgents (kernel: Kernel, store: NodeStore): Promise<RestoreReport> {
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
