/** The hardware profile of one machine, as detected by the HAL. All sizes in bytes. */

/** Architectures mielin names; anything else is reported as 'other' with `archRaw`. */
export type Arch = 'x86_64' | 'aarch64' | 'arm' | 'riscv64' | 'other'

/**
 * Canonical SIMD feature names (lower-case, independent of how /proc or sysctl spell them).
 * x86: sse4.2 avx avx2 fma avx512f avx512bw avx512vl avx512vnni avx512bf16 avx512fp16
 *      amx-tile amx-int8 amx-bf16
 * Arm: neon sve sve2 sme sme2 dotprod i8mm bf16
 * RISC-V: rvv (ratified V 1.0), xtheadvector (T-Head's pre-ratification 0.7.1)
 */
export type SimdFeature = string

export interface CpuInfo {
  vendor: string
  model: string
  /** Physical cores (not hardware threads); equals logicalCores when unknown. */
  physicalCores: number
  /** Hardware threads the OS can schedule (online CPUs). */
  logicalCores: number
  /** Arm MIDR part numbers or x86 family/model, for board and core identification. */
  ids?: Record<string, string>
}

export interface MemoryInfo {
  totalBytes: number
  availableBytes: number
}

/** Limits that apply to this process under cgroups (containers, systemd slices). */
export interface ResourceLimits {
  /** CPUs this process may use: min(cgroup quota, online CPUs); null when unlimited. */
  cpus: number | null
  /** Memory limit from cgroups; null when unlimited. */
  memoryBytes: number | null
  /** Where the limits came from. */
  source: 'cgroup2' | 'cgroup1' | 'none'
}

export interface GpuInfo {
  vendor: 'nvidia' | 'amd' | 'intel' | 'apple' | 'other'
  name: string
  memoryBytes?: number
  /** How it was found: 'nvidia-smi', 'drm', 'sysctl'. */
  source: string
}

export interface BoardInfo {
  kind: 'raspberry-pi' | 'aws-graviton' | 'apple-silicon' | 'sifive' | 'nvidia-jetson' | 'other'
  model: string
  /** What the board was recognised by, e.g. 'device-tree model' or 'cpu part 0xd40 (no DMI to confirm)'. */
  evidence?: string
}

export interface VirtualizationInfo {
  /** True when a hypervisor is visible (the `hypervisor` CPU flag, DMI vendor, …). */
  vm: boolean
  hypervisor?: string
  container: boolean
  containerRuntime?: string
}

/** WebAssembly features of the JavaScript engine running mielin, found by validating tiny modules. */
export interface WasmFeatures {
  simd: boolean
  relaxedSimd: boolean
  threads: boolean
  memory64: boolean
  exceptions: boolean
}

export interface HardwareProfile {
  arch: Arch
  /** What the OS called it: `x86_64`, `aarch64`, `armv7l`, `riscv64`, `ppc64`, … */
  archRaw: string
  os: { platform: string, release: string }
  cpu: CpuInfo
  /** Canonical SIMD feature names present on this CPU. */
  simd: SimdFeature[]
  /** Widest SIMD register in bits (x86: 512 with AVX-512; SVE: the real VL when known). */
  maxVectorWidthBits: number
  /**
   * How maxVectorWidthBits was learned: 'isa' (fixed by the instruction set, or VLEN from the
   * RISC-V isa string), 'os' (the kernel said), 'known-core' (a documented table of cores),
   * 'assumed' (the architectural minimum), 'none' (no SIMD unit).
   */
  maxVectorWidthSource?: 'isa' | 'os' | 'known-core' | 'assumed' | 'none'
  /** SVE vector length in bits, when the OS exposes it. */
  sveVectorLengthBits?: number
  /** RISC-V vector register length (VLEN) in bits, when known. */
  riscvVlenBits?: number
  memory: MemoryInfo
  limits: ResourceLimits
  gpus: GpuInfo[]
  /** NPU hints (device nodes or drivers seen), e.g. 'apple-neural-engine', 'intel-npu'. */
  npus: string[]
  board: BoardInfo | null
  virtualization: VirtualizationInfo
  wasm: WasmFeatures
  /** Whether a mielin node runs on this platform, or it is detected only. */
  support: 'runs' | 'detect-only'
}
