/**
 * The hardware abstraction layer: what machine is this? Architecture, CPU and its SIMD
 * features, vector width, memory and cgroup limits, GPUs and NPU hints, the board or cloud
 * platform, VM/container hints and the WebAssembly features of this JavaScript engine.
 * Probes read /proc, /sys and a few tools (sysctl, nvidia-smi) through a `HalSource`, never
 * throw for anything missing, and can read a saved machine dump instead of this machine.
 *
 * @example
 * ```ts
 * import { detectHardware, fixtureSource, maxVectorWidth, summarizeHardware } from 'mielin/runtime/hal'
 *
 * const hw = await detectHardware()
 * console.log(summarizeHardware(hw).join('\n'))
 * if (hw.simd.includes('avx512f')) console.log(`${maxVectorWidth(hw)}-bit vectors`)
 *
 * // Someone else's machine, from a dump of its /proc and /sys:
 * const graviton = await detectHardware({ source: fixtureSource('dumps/graviton3', { platform: 'linux', arch: 'aarch64' }) })
 * ```
 */
export type * from './types.js'
export { detectHardware, type DetectHardwareInit } from './detect.js'
export { maxVectorWidth, vectorWidth, type VectorWidthInput } from './vector-width.js'
export { summarizeHardware } from './summary.js'
export type { HalSource, OsFacts } from './source.js'
export { systemSource, type SystemSourceInit } from './system-source.js'
export { fixtureSource, openFixtureSource, type FixtureSourceInit } from './fixture-source.js'
export { normalizeArch, supportFor } from './arch.js'
export { probeWasmFeatures } from './wasm-features.js'
export { parseCpuList } from './parse/cpu-list.js'
export { parseCpuMax, parseCfsQuota, parseMemoryLimit, parseProcCgroup } from './parse/cgroup.js'
export { parseMeminfo } from './parse/meminfo.js'
export { parseSysctl } from './parse/sysctl.js'
export { parseCpuinfo } from './parse/cpuinfo.js'
export { parseNvidiaSmi } from './gpu.js'
export { detectBoard } from './board.js'
export { detectVirtualization } from './virtualization.js'
