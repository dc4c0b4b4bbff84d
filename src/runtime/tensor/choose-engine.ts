import type { HardwareProfile } from '../hal/index.js'
import { ENGINE_NAMES, type EngineName } from './types.js'

/**
 * Engine choice, best first, as a pure function of the hardware profile and of what loaded:
 * 1. tfjs-node: native TensorFlow, when the user installed @tensorflow/tfjs-node;
 * 2. onnx: onnxruntime-node's native CPU kernels (≈ 120 GFLOP/s on a 1024² matmul on a
 *    2-vCPU Xeon, against ≈ 30 for tfjs-wasm): the best engine that installs from npm;
 * 3. tfjs-wasm: XNNPACK in WebAssembly, fast with SIMD;
 * 4. tfjs-cpu: plain JavaScript, runs everywhere.
 */

/** Whether an engine's module loaded on this machine (found by `probeEngines`). */
export interface EngineProbe {
  loaded: boolean
  version?: string
  /** Why it did not load. */
  error?: string
}

export interface EngineCandidate {
  name: EngineName
  usable: boolean
  /** Why it can or cannot be used, for `mielin tensor info`. */
  reason: string
}

export interface EngineChoice {
  chosen: EngineName
  reason: string
  candidates: EngineCandidate[]
}

const NATIVE_ARCHES = new Set(['x86_64', 'aarch64'])
const NATIVE_PLATFORMS = new Set(['linux', 'darwin', 'win32'])

function hardwareAllows (name: EngineName, hw: HardwareProfile): string | undefined {
  const nativeOk = NATIVE_ARCHES.has(hw.arch) && NATIVE_PLATFORMS.has(hw.os.platform)
  if ((name === 'onnx' || name === 'tfjs-node') && !nativeOk) {
    return `no native build for ${hw.os.platform}/${hw.archRaw}`
  }
  // TensorFlow's prebuilt x86 binaries are compiled with AVX.
  if (name === 'tfjs-node' && hw.arch === 'x86_64' && !hw.simd.includes('avx')) return 'this CPU lacks AVX, which libtensorflow needs'
  return undefined
}

function usableReason (name: EngineName, hw: HardwareProfile, probe: EngineProbe): string {
  const v = probe.version === undefined ? '' : ` ${probe.version}`
  switch (name) {
    case 'tfjs-node': return `native TensorFlow (@tensorflow/tfjs-node${v}) is installed`
    case 'onnx': {
      const vec = hw.maxVectorWidthBits > 0 ? `, ${hw.maxVectorWidthBits}-bit SIMD` : ''
      return `native onnxruntime-node${v} loaded (${hw.limits.cpus ?? hw.cpu.logicalCores} CPUs${vec})`
    }
    case 'tfjs-wasm': return `WebAssembly backend${v}${hw.wasm.simd ? ' with SIMD' : ' without SIMD (this engine lacks wasm SIMD: slow)'}`
    case 'tfjs-cpu': return `plain JavaScript kernels${v}: always available, slowest`
  }
}

/** Ranks every engine; the first usable one (or the preferred one) is chosen. */
export function chooseEngine (hw: HardwareProfile, probes: Record<EngineName, EngineProbe>, prefer?: EngineName): EngineChoice {
  const candidates = ENGINE_NAMES.map((name): EngineCandidate => {
    const blocked = hardwareAllows(name, hw)
    if (blocked !== undefined) return { name, usable: false, reason: blocked }
    const probe = probes[name]
    if (!probe.loaded) return { name, usable: false, reason: probe.error ?? 'did not load' }
    return { name, usable: true, reason: usableReason(name, hw, probe) }
  })
  const pick = prefer === undefined
    ? candidates.find((c) => c.usable)
    : candidates.find((c) => c.name === prefer && c.usable)
  // tfjs-cpu is always usable, so without a preference there is always a pick.
  const chosen = pick ?? candidates[candidates.length - 1]
  const ahead = candidates.slice(0, candidates.indexOf(chosen)).filter((c) => !c.usable)
  const reason = prefer !== undefined
    ? `requested with --engine/MIELIN_TENSOR_ENGINE; ${chosen.reason}`
    : ahead.length > 0
      ? `${chosen.reason}; better engines unavailable: ${ahead.map((c) => `${c.name}: ${c.reason}`).join('; ')}`
      : `${chosen.reason}; it is the best engine on the list`
  return { chosen: chosen.name, reason, candidates }
}
