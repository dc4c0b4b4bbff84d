import type { HardwareProfile } from './types.js'
import type { HalSource } from './source.js'
import { throwIfAborted } from '../errors.js'
import { normalizeArch, supportFor } from './arch.js'
import { detectBoard } from './board.js'
import { readCpu } from './cpu.js'
import { readGpus } from './gpu.js'
import { readLimits } from './limits.js'
import { readMemory } from './memory.js'
import { readNpus } from './npu.js'
import { cpuinfoFlags } from './parse/cpuinfo.js'
import { parseSysctl } from './parse/sysctl.js'
import { readPlatformFacts } from './platform-facts.js'
import { systemSource } from './system-source.js'
import { vectorWidth } from './vector-width.js'
import { detectVirtualization, readContainerFacts } from './virtualization.js'
import { probeWasmFeatures } from './wasm-features.js'

export interface DetectHardwareInit {
  /** Where to read the machine from. Default: this machine (`systemSource()`). */
  source?: HalSource
  /** Stops detection between probes (external tools are killed). Default: none. */
  signal?: AbortSignal
}

/**
 * Detects the hardware profile of a machine. Never throws for missing files or tools: what
 * cannot be read is reported as unknown. Throws only an AbortedError when `signal` fires.
 */
export async function detectHardware (init: DetectHardwareInit = {}): Promise<HardwareProfile> {
  const { signal } = init
  throwIfAborted(signal)
  const source = init.source ?? systemSource()
  const arch = normalizeArch(source.arch)

  // macOS has no /proc: `sysctl hw machdep` describes the CPU and memory instead.
  let sysctl: Record<string, string> | undefined
  if (source.platform === 'darwin') {
    const [main, vmm] = await Promise.all([
      source.exec('sysctl', ['hw', 'machdep'], { signal }),
      source.exec('sysctl', ['kern.hv_vmm_present'], { signal })
    ])
    if (main !== undefined || vmm !== undefined) sysctl = { ...parseSysctl(vmm ?? ''), ...parseSysctl(main ?? '') }
  }
  throwIfAborted(signal)

  const [cpu, memory, facts, containers] = await Promise.all([
    readCpu(source, arch, sysctl), readMemory(source, sysctl), readPlatformFacts(source), readContainerFacts(source)
  ])
  throwIfAborted(signal)
  const appleSilicon = source.platform === 'darwin' && arch === 'aarch64'
  const [limits, gpus, npus] = await Promise.all([
    readLimits(source, cpu.cpu.logicalCores),
    readGpus(source, appleSilicon ? { brand: sysctl?.['machdep.cpu.brand_string'] } : undefined, signal),
    readNpus(source, facts, appleSilicon)
  ])
  throwIfAborted(signal)

  const width = vectorWidth({ arch, simd: cpu.simd, sveVectorLengthBits: cpu.sveVectorLengthBits, riscvVlenBits: cpu.riscvVlenBits, cpu: cpu.cpu })
  return {
    arch,
    archRaw: source.arch,
    os: { platform: source.platform, release: source.release },
    cpu: cpu.cpu,
    simd: cpu.simd,
    maxVectorWidthBits: width.bits,
    maxVectorWidthSource: width.source,
    ...(cpu.sveVectorLengthBits === undefined ? {} : { sveVectorLengthBits: cpu.sveVectorLengthBits }),
    ...(cpu.riscvVlenBits === undefined ? {} : { riscvVlenBits: cpu.riscvVlenBits }),
    memory,
    limits,
    gpus,
    npus,
    board: detectBoard({ platform: source.platform, arch, ids: cpu.cpu.ids, cpuinfo: cpu.cpuinfo, facts, sysctl }),
    virtualization: detectVirtualization({
      cpuFlags: cpu.cpuinfo === undefined ? undefined : cpuinfoFlags(cpu.cpuinfo),
      platform: facts,
      release: source.release,
      sysctl,
      ...containers
    }),
    wasm: probeWasmFeatures(),
    support: supportFor(arch, source.platform)
  }
}
