import type { Arch } from './types.js'
import { cpuinfoField, cpuinfoFlags, type Cpuinfo } from './parse/cpuinfo.js'
import { sysctlNumber } from './parse/sysctl.js'
import { armFeaturesFromCpuinfo, armFeaturesFromSysctl } from './features/arm.js'
import { riscvVectorFromIsa } from './features/riscv.js'
import { x86Features, x86FlagsFromSysctl } from './features/x86.js'
import { armImplementerName, armPartName, parseHexId, riscvVendorName, x86VendorName } from './cpu-names.js'

/** Who made the CPU, what it is, its ids and SIMD features: everything but counts and widths. */
export interface CpuIdentity {
  vendor: string
  model: string
  ids: Record<string, string>
  simd: string[]
  /** RISC-V VLEN from the isa string's `zvl*b`, when listed. */
  isaVlenBits?: number
}

/** Identity from /proc/cpuinfo, read the way its architecture writes it. */
export function identifyFromCpuinfo (arch: Arch, info: Cpuinfo): CpuIdentity {
  const field = (k: string): string | undefined => cpuinfoField(info, k)
  if (arch === 'x86_64') {
    const ids = pick({ family: field('cpu family'), model: field('model'), stepping: field('stepping') })
    return { vendor: x86VendorName(field('vendor_id') ?? 'unknown'), model: field('model name') ?? 'unknown', ids, simd: x86Features(cpuinfoFlags(info)) }
  }
  if (arch === 'aarch64' || arch === 'arm') return identifyArm(info)
  if (arch === 'riscv64') {
    const mvendorid = parseHexId(field('mvendorid'))
    const vector = riscvVectorFromIsa(field('isa') ?? '', { mvendorid })
    const uarch = field('uarch')
    const model = field('model name') ?? (uarch !== undefined ? prettyUarch(uarch) : (field('isa') ?? 'unknown').split('_')[0])
    const vendor = riscvVendorName(mvendorid) ?? (mvendorid === undefined || mvendorid === 0 ? 'unknown' : `mvendorid 0x${mvendorid.toString(16)}`)
    const ids = pick({ mvendorid: field('mvendorid'), marchid: field('marchid'), mimpid: field('mimpid'), uarch })
    return { vendor, model, ids, simd: vector.simd, isaVlenBits: vector.vlenBits }
  }
  return { vendor: field('vendor_id') ?? 'unknown', model: field('model name') ?? field('cpu') ?? field('Processor') ?? 'unknown', ids: {}, simd: [] }
}

/** Arm cores: name them from MIDR implementer/part; a big.LITTLE phone lists each kind with its count. */
function identifyArm (info: Cpuinfo): CpuIdentity {
  const kinds = new Map<string, number>()
  let implementer: number | undefined
  let firstPart: string | undefined
  const blocks = info.processors.length > 0 ? info.processors : [info.machine]
  for (const b of blocks) {
    implementer = parseHexId(b['CPU implementer'] ?? info.machine['CPU implementer']) ?? implementer
    const part = parseHexId(b['CPU part'] ?? info.machine['CPU part'])
    if (implementer === undefined || part === undefined) continue
    firstPart ??= `0x${part.toString(16).padStart(3, '0')}`
    const name = armPartName(implementer, part)
    kinds.set(name, (kinds.get(name) ?? 0) + 1)
  }
  const modelName = cpuinfoField(info, 'model name') ?? cpuinfoField(info, 'Processor')
  const model = kinds.size === 0
    ? modelName ?? 'unknown'
    : kinds.size === 1 ? [...kinds.keys()][0] : [...kinds].map(([name, n]) => `${n}× ${name}`).join(' + ')
  const ids = pick({
    implementer: implementer === undefined ? undefined : `0x${implementer.toString(16).padStart(2, '0')}`,
    part: firstPart,
    variant: cpuinfoField(info, 'CPU variant'),
    revision: cpuinfoField(info, 'CPU revision')
  })
  return { vendor: implementer === undefined ? 'unknown' : armImplementerName(implementer), model, ids, simd: armFeaturesFromCpuinfo(cpuinfoFlags(info)) }
}

/** Identity from macOS `sysctl hw machdep`. */
export function identifyFromSysctl (arch: Arch, sysctl: Record<string, string>): CpuIdentity {
  const brand = sysctl['machdep.cpu.brand_string'] ?? 'unknown'
  if (arch === 'aarch64') {
    const ids = pick({ cpufamily: sysctl['hw.cpufamily'], targettype: sysctl['hw.targettype'] })
    return { vendor: 'Apple', model: brand, ids, simd: armFeaturesFromSysctl(sysctl) }
  }
  const ids = pick({ family: sysctlNumber(sysctl, 'machdep.cpu.family')?.toString(), model: sysctl['machdep.cpu.model'], stepping: sysctl['machdep.cpu.stepping'] })
  return { vendor: x86VendorName(sysctl['machdep.cpu.vendor'] ?? 'unknown'), model: brand, ids, simd: x86Features(x86FlagsFromSysctl(sysctl)) }
}

/** "sifive,u74-mc" → "SiFive U74-MC". */
function prettyUarch (uarch: string): string {
  const vendors: Record<string, string> = { sifive: 'SiFive', thead: 'T-Head', spacemit: 'SpacemiT', starfive: 'StarFive' }
  const [vendor, core] = uarch.split(',')
  return core === undefined ? uarch : `${vendors[vendor] ?? vendor} ${core.toUpperCase()}`
}

function pick (record: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''))
}
