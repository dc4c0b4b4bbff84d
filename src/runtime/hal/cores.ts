/** One online CPU's place in the topology (/sys/devices/system/cpu/cpuN/topology). */
export interface TopologyEntry {
  cpu: number
  packageId: number
  coreId: number
}

export interface CoreCountInput {
  /** Online CPU numbers (/sys/devices/system/cpu/online), when readable. */
  online?: number[]
  /** Topology of online CPUs; entries may be missing for some CPUs. */
  topology?: TopologyEntry[]
  /** /proc/cpuinfo processor blocks. */
  processors?: Array<Record<string, string>>
  /** Last resort for logical cores (os.availableParallelism); default 1. */
  fallbackLogical?: number
}

/**
 * Logical cores (hardware threads) and physical cores on Linux.
 * Logical: the online list, else the number of cpuinfo processor blocks, else the fallback.
 * Physical, first that works:
 * 1. distinct (physical_package_id, core_id) pairs of the online CPUs from sysfs topology,
 *    only when every online CPU has them (a partial dump would undercount);
 * 2. distinct (`physical id`, `core id`) pairs of the online cpuinfo blocks (x86);
 * 3. `cpu cores` × number of distinct `physical id`s;
 * 4. the logical count (Arm and RISC-V cpuinfo do not describe SMT; their cores have none).
 * Physical never exceeds logical: a dump that lists fewer CPUs than the package has (a
 * single-processor excerpt) must not claim more cores than threads.
 */
export function countCores (input: CoreCountInput): { logical: number, physical: number } {
  const blocks = input.processors ?? []
  const logical = input.online !== undefined && input.online.length > 0
    ? input.online.length
    : blocks.length > 0 ? blocks.length : Math.max(1, input.fallbackLogical ?? 1)
  return { logical, physical: Math.min(logical, physicalCores(input, blocks) ?? logical) }
}

function physicalCores (input: CoreCountInput, blocks: Array<Record<string, string>>): number | undefined {
  const online = input.online !== undefined && input.online.length > 0 ? new Set(input.online) : undefined
  const topo = input.topology ?? []
  if (online !== undefined && topo.length > 0 && [...online].every((cpu) => topo.some((t) => t.cpu === cpu))) {
    return new Set(topo.filter((t) => online.has(t.cpu)).map((t) => `${t.packageId}:${t.coreId}`)).size
  }
  const onlineBlocks = online === undefined ? blocks : blocks.filter((b) => online.has(Number(b.processor)))
  const withIds = (onlineBlocks.length > 0 ? onlineBlocks : blocks).filter((b) => b['core id'] !== undefined)
  if (withIds.length > 0) return new Set(withIds.map((b) => `${b['physical id'] ?? 0}:${b['core id']}`)).size
  const perSocket = Number(blocks.find((b) => b['cpu cores'] !== undefined)?.['cpu cores'])
  if (Number.isInteger(perSocket) && perSocket > 0) {
    return perSocket * Math.max(1, new Set(blocks.map((b) => b['physical id']).filter((v) => v !== undefined)).size)
  }
  return undefined
}
