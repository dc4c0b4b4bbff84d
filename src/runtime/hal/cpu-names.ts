/**
 * Names for the ids CPUs report: Arm MIDR implementer/part codes (cpuinfo `CPU implementer`,
 * `CPU part`) and RISC-V `mvendorid`. Sources: Linux arch/arm64/include/asm/cputype.h and the
 * vendors' technical reference manuals. Unknown ids are shown as hex, never guessed.
 */
const ARM_IMPLEMENTERS: Record<number, string> = {
  0x41: 'Arm',
  0x42: 'Broadcom',
  0x43: 'Cavium',
  0x46: 'Fujitsu',
  0x48: 'HiSilicon',
  0x4e: 'NVIDIA',
  0x50: 'APM',
  0x51: 'Qualcomm',
  0x61: 'Apple',
  0x6d: 'Microsoft',
  0xc0: 'Ampere'
}

/** Parts designed by Arm (implementer 0x41). */
const ARM_PARTS: Record<number, string> = {
  0xc07: 'Cortex-A7',
  0xc09: 'Cortex-A9',
  0xc0f: 'Cortex-A15',
  0xd03: 'Cortex-A53',
  0xd04: 'Cortex-A35',
  0xd05: 'Cortex-A55',
  0xd07: 'Cortex-A57',
  0xd08: 'Cortex-A72',
  0xd09: 'Cortex-A73',
  0xd0a: 'Cortex-A75',
  0xd0b: 'Cortex-A76',
  0xd0c: 'Neoverse N1',
  0xd0d: 'Cortex-A77',
  0xd40: 'Neoverse V1',
  0xd41: 'Cortex-A78',
  0xd44: 'Cortex-X1',
  0xd46: 'Cortex-A510',
  0xd47: 'Cortex-A710',
  0xd48: 'Cortex-X2',
  0xd49: 'Neoverse N2',
  0xd4d: 'Cortex-A715',
  0xd4e: 'Cortex-X3',
  0xd4f: 'Neoverse V2',
  0xd80: 'Cortex-A520',
  0xd81: 'Cortex-A720',
  0xd82: 'Cortex-X4',
  0xd84: 'Neoverse V3',
  0xd85: 'Cortex-X925',
  0xd87: 'Cortex-A725',
  0xd8e: 'Neoverse N3'
}

/** Apple cores as Asahi Linux reports them (implementer 0x61). */
const APPLE_PARTS: Record<number, string> = {
  0x022: 'M1 Icestorm',
  0x023: 'M1 Firestorm',
  0x024: 'M1 Pro Icestorm',
  0x025: 'M1 Pro Firestorm',
  0x028: 'M1 Max Icestorm',
  0x029: 'M1 Max Firestorm',
  0x032: 'M2 Blizzard',
  0x033: 'M2 Avalanche',
  0x034: 'M2 Pro Blizzard',
  0x035: 'M2 Pro Avalanche',
  0x038: 'M2 Max Blizzard',
  0x039: 'M2 Max Avalanche'
}

const RISCV_VENDORS: Record<number, string> = {
  0x489: 'SiFive',
  0x5b7: 'T-Head',
  0x710: 'SpacemiT'
}

const hex = (n: number, width: number): string => `0x${n.toString(16).padStart(width, '0')}`

export function armImplementerName (implementer: number): string {
  return ARM_IMPLEMENTERS[implementer] ?? `Arm implementer ${hex(implementer, 2)}`
}

export function armPartName (implementer: number, part: number): string {
  const known = implementer === 0x41 ? ARM_PARTS[part] : implementer === 0x61 ? APPLE_PARTS[part] : undefined
  return known ?? `part ${hex(part, 3)}`
}

export function riscvVendorName (mvendorid: number | undefined): string | undefined {
  return mvendorid === undefined ? undefined : RISCV_VENDORS[mvendorid]
}

/** Parses cpuinfo's hex ids ("0x41", "0xd0c"); undefined when absent or malformed. */
export function parseHexId (value: string | undefined): number | undefined {
  if (value === undefined || !/^0x[0-9a-f]+$/i.test(value.trim())) return undefined
  return Number.parseInt(value.trim().slice(2), 16)
}

export function x86VendorName (vendorId: string): string {
  const names: Record<string, string> = {
    GenuineIntel: 'Intel', AuthenticAMD: 'AMD', HygonGenuine: 'Hygon', CentaurHauls: 'Zhaoxin', '  Shanghai  ': 'Zhaoxin'
  }
  return names[vendorId] ?? vendorId
}
