import type { Arch, CpuInfo } from './types.js'
import type { HalSource } from './source.js'
import { countCores, type TopologyEntry } from './cores.js'
import { identifyFromCpuinfo, identifyFromSysctl, type CpuIdentity } from './cpu-identity.js'
import { parseCpuList } from './parse/cpu-list.js'
import { parseCpuinfo, type Cpuinfo } from './parse/cpuinfo.js'
import { sysctlNumber } from './parse/sysctl.js'
import { knownRiscvVlen } from './vector-width.js'

export interface CpuReport {
  cpu: CpuInfo
  simd: string[]
  sveVectorLengthBits?: number
  riscvVlenBits?: number
  /** The parsed /proc/cpuinfo, for board and VM detection; undefined when absent. */
  cpuinfo?: Cpuinfo
}

/** Reading per-CPU topology of machines larger than this is not worth the file reads. */
const MAX_TOPOLOGY_CPUS = 1024

/** Reads the CPU from /proc and /sys (Linux), sysctl (macOS), or the os module. */
export async function readCpu (source: HalSource, arch: Arch, sysctl: Record<string, string> | undefined): Promise<CpuReport> {
  const fallbackModel = source.os?.cpuModel !== undefined && source.os.cpuModel !== '' ? source.os.cpuModel : 'unknown'
  if (sysctl !== undefined && source.platform === 'darwin') {
    const id = identifyFromSysctl(arch, sysctl)
    const logical = sysctlNumber(sysctl, 'hw.logicalcpu') ?? sysctlNumber(sysctl, 'machdep.cpu.thread_count') ?? sysctlNumber(sysctl, 'hw.ncpu') ?? source.os?.logicalCores ?? 1
    const physical = sysctlNumber(sysctl, 'hw.physicalcpu') ?? sysctlNumber(sysctl, 'machdep.cpu.core_count') ?? logical
    return { cpu: cpuInfo(id, Math.min(physical, logical), logical), simd: id.simd }
  }

  const [cpuinfoText, onlineText] = await Promise.all([
    source.readFile('/proc/cpuinfo'),
    source.readFile('/sys/devices/system/cpu/online')
  ])
  const cpuinfo = cpuinfoText === undefined ? undefined : parseCpuinfo(cpuinfoText)
  const online = onlineText === undefined ? undefined : parseCpuList(onlineText)
  const topology = online !== undefined && online.length <= MAX_TOPOLOGY_CPUS ? await readTopology(source, online) : []
  const { logical, physical } = countCores({ online, topology, processors: cpuinfo?.processors, fallbackLogical: source.os?.logicalCores })
  const id: CpuIdentity = cpuinfo === undefined
    ? { vendor: 'unknown', model: fallbackModel, ids: {}, simd: [] }
    : identifyFromCpuinfo(arch, cpuinfo)
  if (id.model === 'unknown') id.model = fallbackModel

  const report: CpuReport = { cpu: cpuInfo(id, physical, logical), simd: id.simd, cpuinfo }
  if (id.simd.includes('sve')) {
    // Bytes, for new processes; an admin may lower it below what the hardware offers.
    const bytes = Number((await source.readFile('/proc/sys/abi/sve_default_vector_length'))?.trim())
    if (Number.isInteger(bytes) && bytes > 0) report.sveVectorLengthBits = bytes * 8
  }
  if (arch === 'riscv64') {
    const vlen = id.isaVlenBits ?? knownRiscvVlen(id.ids, id.simd)
    if (vlen !== undefined) report.riscvVlenBits = vlen
  }
  return report
}

function cpuInfo (id: CpuIdentity, physicalCores: number, logicalCores: number): CpuInfo {
  return { vendor: id.vendor, model: id.model, physicalCores, logicalCores, ...(Object.keys(id.ids).length > 0 ? { ids: id.ids } : {}) }
}

async function readTopology (source: HalSource, online: number[]): Promise<TopologyEntry[]> {
  const entries = await Promise.all(online.map(async (cpu) => {
    const dir = `/sys/devices/system/cpu/cpu${cpu}/topology`
    const [pkg, core] = await Promise.all([source.readFile(`${dir}/physical_package_id`), source.readFile(`${dir}/core_id`)])
    if (pkg === undefined || core === undefined) return undefined
    return { cpu, packageId: Number(pkg.trim()), coreId: Number(core.trim()) }
  }))
  return entries.filter((e): e is TopologyEntry => e !== undefined && Number.isFinite(e.packageId) && Number.isFinite(e.coreId))
}
