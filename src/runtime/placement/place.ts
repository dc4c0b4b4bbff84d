import type { HardwareProfile } from '../hal/index.js'
import { InvalidArgumentError, MielinError, ExitCode } from '../errors.js'
import type { HardwareSummary, PlacementSpec } from '../types/index.js'

/**
 * Hardware- and load-aware placement: which node of the cluster should run an agent. A node
 * must meet every constraint (architecture, SIMD feature, GPU, labels); among those that
 * do, the least loaded wins. When none fits, the error says which constraint failed on
 * which node, so the operator can fix the constraint or the cluster.
 */

/** What placement needs to know of a node (carried in its heartbeats). */
export interface NodeSummary {
  peerId: string
  name: string
  labels: Record<string, string>
  hardware: HardwareSummary
  load: { agents: number, cpu: number, memory: number }
  /** Only live nodes are candidates. */
  state: 'alive' | 'suspect' | 'dead' | 'left'
}

export function hardwareSummary (hw: HardwareProfile): HardwareSummary {
  return {
    arch: hw.arch,
    simd: hw.simd,
    gpus: hw.gpus.length,
    cores: Math.floor(hw.limits.cpus ?? hw.cpu.logicalCores),
    memoryBytes: hw.limits.memoryBytes ?? hw.memory.totalBytes,
    support: hw.support
  }
}

export class NoNodeFitsError extends MielinError {
  static override readonly defaultCode: string = 'E_NO_NODE_FITS'
  static override readonly defaultExitCode: number = ExitCode.unavailable
}

/** Why a node cannot take the agent, or undefined when it can. */
export function unmet (spec: PlacementSpec, node: NodeSummary): string | undefined {
  if (node.state !== 'alive') return `it is ${node.state}`
  const hw = node.hardware
  if (spec.arch !== undefined && hw.arch !== spec.arch) return `arch=${spec.arch} needed, it is ${hw.arch}`
  if (spec.simd !== undefined && !hw.simd.includes(spec.simd)) return `simd=${spec.simd} needed, it has ${hw.simd.length > 0 ? hw.simd.join(' ') : 'none'}`
  if (spec.gpu === true && hw.gpus === 0) return 'a GPU is needed, it has none'
  for (const [k, v] of Object.entries(spec.labels ?? {})) {
    if (node.labels[k] !== v) return `label ${k}=${v} needed, it has ${k}=${node.labels[k] ?? '(unset)'}`
  }
  return undefined
}

/** Picks the best node; throws E_NO_NODE_FITS naming each node's failed constraint. */
export function place (spec: PlacementSpec, nodes: NodeSummary[]): NodeSummary {
  const fits = nodes.filter((n) => unmet(spec, n) === undefined)
  if (fits.length === 0) {
    const why = nodes.map((n) => `${n.name} (${n.peerId.slice(-8)}): ${unmet(spec, n) ?? ''}`).join('; ')
    throw new NoNodeFitsError(`No node fits the agent's constraints. ${why || 'There are no nodes.'}`, undefined, {
      suggestions: ['Relax --require (or placement in mielin.json), or start a node that meets it.']
    })
  }
  // Least loaded first: agents per core, then CPU and memory use; ties by name for stable tests.
  const score = (n: NodeSummary): number => n.load.agents / Math.max(1, n.hardware.cores) + n.load.cpu + n.load.memory
  return [...fits].sort((a, b) => score(a) - score(b) || a.name.localeCompare(b.name))[0]
}

/**
 * Parses `--require` values: `simd=avx2`, `arch=aarch64`, `gpu`, `label=region=eu`, into a
 * PlacementSpec merged over `base` (the manifest's placement).
 */
export function parseRequirements (values: string[], base: PlacementSpec = {}): PlacementSpec {
  const spec: PlacementSpec = { ...base, labels: { ...base.labels } }
  for (const raw of values) {
    const [key, ...rest] = raw.split('=')
    const value = rest.join('=')
    const bad = (): never => {
      throw new InvalidArgumentError(`--require "${raw}" is not a constraint mielin knows.`, undefined, {
        suggestions: ['Use one of: arch=x86_64|aarch64|arm|riscv64, simd=<feature> (e.g. avx2, avx512f, neon, sve), gpu, label=<key>=<value>']
      })
    }
    switch (key) {
      case 'arch':
        if (!['x86_64', 'aarch64', 'arm', 'riscv64'].includes(value)) bad()
        spec.arch = value as PlacementSpec['arch']
        break
      case 'simd':
        if (value === '') bad()
        spec.simd = value
        break
      case 'gpu':
        if (value !== '' && value !== 'true') bad()
        spec.gpu = true
        break
      case 'label': {
        const eq = value.indexOf('=')
        if (eq < 1) bad()
        ;(spec.labels as Record<string, string>)[value.slice(0, eq)] = value.slice(eq + 1)
        break
      }
      default:
        bad()
    }
  }
  return spec
}
