import type { Arch, BoardInfo } from './types.js'
import { cpuinfoField, type Cpuinfo } from './parse/cpuinfo.js'
import type { PlatformFacts } from './platform-facts.js'
import { PI_SOC, raspberryPiFromRevision } from './raspberry-pi.js'

export interface BoardFacts {
  platform: string
  arch: Arch
  /** cpu.ids of the profile: Arm `implementer`/`part`, RISC-V `mvendorid`/`uarch`. */
  ids?: Record<string, string>
  cpuinfo?: Cpuinfo
  facts?: PlatformFacts
  sysctl?: Record<string, string>
}

/**
 * AWS Graviton generations by Arm core. A part number names the core, not who built the chip:
 * - 0xd08 Cortex-A72 is also in the Raspberry Pi 4 and many SoCs,
 * - 0xd0c Neoverse N1 is also Ampere Altra (Oracle, Azure, Hetzner),
 * - 0xd4f Neoverse V2 is also NVIDIA Grace and Google Axion,
 * so these count as Graviton only when DMI says Amazon. 0xd40 Neoverse V1 has, as far as we
 * know, shipped in volume only as Graviton3/3E, so it alone is taken as Graviton3 — and the
 * evidence says it is an inference.
 */
const GRAVITON: Record<string, string> = { '0xd08': 'AWS Graviton (A1)', '0xd0c': 'AWS Graviton2', '0xd40': 'AWS Graviton3', '0xd4f': 'AWS Graviton4' }

/** Pure: which board or platform this is, or null when nothing says. */
export function detectBoard (f: BoardFacts): BoardInfo | null {
  const machine = f.cpuinfo?.machine ?? {}
  const dt = f.facts?.deviceTree ?? { compatible: [] }
  const dmi = f.facts?.dmi ?? {}
  const compatible = dt.compatible.join(' ')
  const ids = f.ids ?? {}

  if (f.platform === 'darwin' && f.arch === 'aarch64') {
    return { kind: 'apple-silicon', model: f.sysctl?.['machdep.cpu.brand_string'] ?? 'Apple Silicon', evidence: 'macOS sysctl' }
  }
  const piModel = [dt.model, machine.Model].find((m) => m?.startsWith('Raspberry Pi') === true)
  if (piModel !== undefined) return { kind: 'raspberry-pi', model: piModel, evidence: 'device-tree model' }
  if (PI_SOC.test(machine.Hardware ?? '')) {
    const fromRevision = raspberryPiFromRevision(machine.Revision ?? '')
    return { kind: 'raspberry-pi', model: fromRevision ?? `Raspberry Pi (${machine.Hardware})`, evidence: `cpuinfo Hardware ${machine.Hardware}, Revision ${machine.Revision ?? '?'}` }
  }
  if (/jetson/i.test(dt.model ?? '') || /jetson|tegra/i.test(machine.Hardware ?? '')) {
    return { kind: 'nvidia-jetson', model: dt.model ?? jetsonName(machine.Hardware ?? ''), evidence: dt.model !== undefined ? 'device-tree model' : 'cpuinfo Hardware' }
  }
  if (f.platform === 'linux' && ids.implementer === '0x61') {
    return { kind: 'apple-silicon', model: dt.model ?? 'Apple Silicon (Asahi Linux)', evidence: 'cpu implementer 0x61 (Apple)' }
  }
  if (f.arch === 'aarch64' && ids.part !== undefined && ids.implementer === '0x41') {
    const amazon = [dmi.sysVendor, dmi.boardVendor, dmi.biosVendor].some((v) => /^Amazon/i.test(v ?? ''))
    const generation = GRAVITON[ids.part]
    if (amazon) return { kind: 'aws-graviton', model: generation ?? 'AWS Graviton', evidence: `DMI ${dmi.sysVendor ?? dmi.boardVendor ?? dmi.biosVendor}, cpu part ${ids.part}` }
    if (ids.part === '0xd40' && dmi.sysVendor === undefined) {
      return { kind: 'aws-graviton', model: 'AWS Graviton3', evidence: 'cpu part 0xd40 (Neoverse V1) alone; no DMI to confirm' }
    }
  }
  const isa = f.cpuinfo === undefined ? '' : cpuinfoField(f.cpuinfo, 'isa') ?? ''
  if (ids.mvendorid === '0x489' || /sifive/i.test(`${isa} ${ids.uarch ?? ''} ${compatible}`)) {
    const core = ids.uarch?.split(',')[1]?.toUpperCase()
    return { kind: 'sifive', model: dt.model ?? (core !== undefined ? `SiFive ${core}` : 'SiFive'), evidence: ids.mvendorid === '0x489' ? 'mvendorid 0x489 (SiFive)' : 'uarch/compatible' }
  }
  if (dmi.productName !== undefined) {
    const vendor = dmi.sysVendor !== undefined && !dmi.productName.startsWith(dmi.sysVendor) ? `${dmi.sysVendor} ` : ''
    return { kind: 'other', model: `${vendor}${dmi.productName}`, evidence: 'DMI' }
  }
  if (dt.model !== undefined) return { kind: 'other', model: dt.model, evidence: 'device-tree model' }
  return null
}

/** cpuinfo `Hardware : jetson_tx1` → "NVIDIA Jetson TX1"; "NVIDIA Tegra" stays as it is. */
function jetsonName (hardware: string): string {
  const m = /^jetson[_-]?(.*)$/i.exec(hardware)
  if (m === null) return hardware
  const name = m[1].replace(/[_-]/g, ' ')
  return `NVIDIA Jetson ${name.length <= 4 ? name.toUpperCase() : name}`.trim()
}
