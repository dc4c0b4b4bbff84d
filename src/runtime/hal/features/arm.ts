import { sysctlFlag } from '../parse/sysctl.js'

/**
 * Arm SIMD features in canonical names: neon sve sve2 sme sme2 dotprod i8mm bf16.
 * Linux spells them in /proc/cpuinfo `Features` (aarch64: `asimd asimddp sve i8mm bf16`;
 * arm32: `neon`); macOS in sysctl `hw.optional.*`.
 */
const FROM_CPUINFO: ReadonlyArray<[canonical: string, spellings: string[]]> = [
  ['neon', ['asimd', 'neon']],
  ['sve', ['sve']],
  ['sve2', ['sve2']],
  ['sme', ['sme']],
  ['sme2', ['sme2']],
  ['dotprod', ['asimddp']],
  ['i8mm', ['i8mm']],
  ['bf16', ['bf16']]
]

export function armFeaturesFromCpuinfo (features: Iterable<string>): string[] {
  const have = new Set([...features].map((f) => f.toLowerCase()))
  return FROM_CPUINFO.filter(([, spellings]) => spellings.some((s) => have.has(s))).map(([name]) => name)
}

/**
 * From macOS sysctl. Newer macOS has `hw.optional.arm.FEAT_*`; Big Sur only `hw.optional.neon`
 * and the `armv8_*` keys (so an M1 on Big Sur shows no dotprod although the core has it: we
 * report what the OS tells, not what we know of the chip). Apple cores have no SVE.
 */
const FROM_SYSCTL: ReadonlyArray<[canonical: string, keys: string[]]> = [
  ['neon', ['hw.optional.neon', 'hw.optional.AdvSIMD', 'hw.optional.arm.AdvSIMD']],
  ['sve', ['hw.optional.arm.FEAT_SVE']],
  ['sve2', ['hw.optional.arm.FEAT_SVE2']],
  ['sme', ['hw.optional.arm.FEAT_SME']],
  ['sme2', ['hw.optional.arm.FEAT_SME2']],
  ['dotprod', ['hw.optional.arm.FEAT_DotProd']],
  ['i8mm', ['hw.optional.arm.FEAT_I8MM']],
  ['bf16', ['hw.optional.arm.FEAT_BF16']]
]

export function armFeaturesFromSysctl (sysctl: Record<string, string>): string[] {
  return FROM_SYSCTL.filter(([, keys]) => keys.some((k) => sysctlFlag(sysctl, k))).map(([name]) => name)
}
