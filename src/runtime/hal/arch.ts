import type { Arch, HardwareProfile } from './types.js'
import { cpuinfoField, type Cpuinfo } from './parse/cpuinfo.js'

/** Maps what the OS calls the machine (`uname -m`, Node's names, Apple's) to mielin's names. */
export function normalizeArch (raw: string): Arch {
  const a = raw.trim().toLowerCase()
  if (a === 'x86_64' || a === 'amd64' || a === 'x64') return 'x86_64'
  if (a === 'aarch64' || a === 'arm64' || a === 'aarch64_be') return 'aarch64'
  if (a === 'arm' || /^armv[5-8]/.test(a)) return 'arm'
  if (a === 'riscv64') return 'riscv64'
  return 'other'
}

/**
 * Whether a mielin node runs here, or the HAL can only describe the machine.
 * - x86_64 and aarch64 on Linux and macOS: official Node 22 builds exist, and so does the tensor
 *   engine (onnxruntime-node ships linux x64/arm64 and darwin arm64; Intel Macs fall back to the
 *   WebAssembly engine, which is pure wasm and runs anywhere Node does).
 * - arm (32-bit): Node 22 has official armv7l builds, but onnxruntime-node has no arm32 binary and
 *   the rest of the stack is untested there.
 * - riscv64: no official Node build at all (only unofficial/community ones).
 * - Windows and others: not tested, so not promised.
 */
export function supportFor (arch: Arch, platform: string): HardwareProfile['support'] {
  const archOk = arch === 'x86_64' || arch === 'aarch64'
  const osOk = platform === 'linux' || platform === 'darwin'
  return archOk && osOk ? 'runs' : 'detect-only'
}

/**
 * Guesses `uname -m` from a saved /proc/cpuinfo, for machine dumps that do not say it.
 * 64-bit x86 has the `lm` (long mode) flag; an aarch64 kernel reports `CPU architecture: 8`
 * while a 32-bit Arm kernel reports 7 even on an ARMv8 core (a Raspberry Pi 3 on Raspbian).
 */
export function guessArchFromCpuinfo (info: Cpuinfo): string | undefined {
  const vendor = cpuinfoField(info, 'vendor_id')
  if (vendor?.startsWith('IBM/S390') === true) return 's390x'
  const flags = cpuinfoField(info, 'flags')
  if (vendor !== undefined || flags !== undefined) return flags?.split(/\s+/).includes('lm') === false ? 'i686' : 'x86_64'
  const armArch = cpuinfoField(info, 'CPU architecture')
  if (armArch !== undefined) return armArch.trim() === '8' ? 'aarch64' : 'armv7l'
  const isa = cpuinfoField(info, 'isa')
  if (isa !== undefined) return isa.startsWith('rv32') ? 'riscv32' : 'riscv64'
  if (/POWER|PPC/i.test(cpuinfoField(info, 'cpu') ?? '')) return 'ppc64'
  return undefined
}
