import type { ResourceLimits } from './types.js'
import type { HalSource } from './source.js'
import {
  cgroupV1Path, cgroupV2Path, parseCfsQuota, parseCpuMax, parseMemoryLimit, parseProcCgroup
} from './parse/cgroup.js'

const ROOT = '/sys/fs/cgroup'
/** v1 mounts the cpu controller at one of these, depending on the distribution. */
const V1_CPU_MOUNTS = [`${ROOT}/cpu`, `${ROOT}/cpu,cpuacct`, `${ROOT}/cpuacct,cpu`]

/**
 * The CPU and memory limits cgroups put on this process. The process's cgroup comes from
 * /proc/self/cgroup; a limit set on any ancestor applies too, so each level up to the mount
 * point is read and the smallest limit wins. Inside a container the listed path often does
 * not exist under the container's /sys/fs/cgroup (which is already its own cgroup), and the
 * walk then ends at the mount root, which is the right place to read.
 */
export async function readLimits (source: HalSource, onlineCpus: number): Promise<ResourceLimits> {
  const text = await source.readFile('/proc/self/cgroup')
  if (text === undefined) return { cpus: null, memoryBytes: null, source: 'none' }
  const entries = parseProcCgroup(text)
  const v1Cpu = cgroupV1Path(entries, 'cpu')
  const v1Memory = cgroupV1Path(entries, 'memory')
  const v2 = cgroupV2Path(entries)
  let found = false
  let cpus: number | null = null
  let memoryBytes: number | null = null
  const lower = (a: number | null, b: number | null): number | null => a === null ? b : b === null ? a : Math.min(a, b)

  if (v1Cpu !== undefined || v1Memory !== undefined) {
    // cgroup v1, or a "hybrid" host whose controllers are still on v1.
    for (const mount of V1_CPU_MOUNTS) {
      for (const dir of ancestors(mount, v1Cpu ?? '/')) {
        const quota = await source.readFile(`${dir}/cpu.cfs_quota_us`)
        if (quota === undefined) continue
        found = true
        cpus = lower(cpus, parseCfsQuota(quota, await source.readFile(`${dir}/cpu.cfs_period_us`)))
      }
    }
    for (const dir of ancestors(`${ROOT}/memory`, v1Memory ?? '/')) {
      const limit = await source.readFile(`${dir}/memory.limit_in_bytes`)
      if (limit === undefined) continue
      found = true
      memoryBytes = lower(memoryBytes, parseMemoryLimit(limit))
    }
    return result(cpus, memoryBytes, onlineCpus, found ? 'cgroup1' : 'none')
  }
  if (v2 !== undefined) {
    // The root cgroup has no cpu.max or memory.max, but cgroup.controllers shows v2 is there.
    found = (await source.readFile(`${ROOT}/cgroup.controllers`)) !== undefined
    for (const dir of ancestors(ROOT, v2)) {
      const [cpuMax, memMax] = await Promise.all([source.readFile(`${dir}/cpu.max`), source.readFile(`${dir}/memory.max`)])
      if (cpuMax !== undefined) cpus = lower(cpus, parseCpuMax(cpuMax))
      if (memMax !== undefined) memoryBytes = lower(memoryBytes, parseMemoryLimit(memMax))
      found ||= cpuMax !== undefined || memMax !== undefined
    }
    return result(cpus, memoryBytes, onlineCpus, found ? 'cgroup2' : 'none')
  }
  return { cpus: null, memoryBytes: null, source: 'none' }
}

function result (cpus: number | null, memoryBytes: number | null, onlineCpus: number, source: ResourceLimits['source']): ResourceLimits {
  return { cpus: cpus === null ? null : Math.min(cpus, onlineCpus), memoryBytes, source }
}

/** '/sys/fs/cgroup/memory' + '/a/b' → ['…/memory/a/b', '…/memory/a', '…/memory'] (at most 32 levels). */
export function ancestors (mount: string, cgroupPath: string): string[] {
  const parts = cgroupPath.split('/').filter((p) => p !== '' && p !== '.' && p !== '..').slice(0, 32)
  const dirs: string[] = []
  for (let i = parts.length; i >= 0; i--) dirs.push([mount, ...parts.slice(0, i)].join('/'))
  return dirs
}
