/**
 * x86 SIMD features, in the canonical names of `SimdFeature`, from either spelling:
 * Linux /proc/cpuinfo `flags` (`sse4_2 avx512_vnni amx_tile`) or macOS sysctl
 * `machdep.cpu.features` / `leaf7_features` (`SSE4.2 AVX1.0 AVX2 AVX512F`).
 */
const CANONICAL: ReadonlyArray<[canonical: string, spellings: string[]]> = [
  ['sse4.2', ['sse4_2', 'sse4.2']],
  ['avx', ['avx', 'avx1.0']],
  ['avx2', ['avx2']],
  ['fma', ['fma']],
  ['avx512f', ['avx512f']],
  ['avx512bw', ['avx512bw']],
  ['avx512vl', ['avx512vl']],
  ['avx512vnni', ['avx512_vnni', 'avx512vnni']],
  ['avx512bf16', ['avx512_bf16', 'avx512bf16']],
  ['avx512fp16', ['avx512_fp16', 'avx512fp16']],
  // AMX: tile registers plus int8/bf16 matrix multiply (Sapphire Rapids and later Xeons).
  ['amx-tile', ['amx_tile', 'amxtile']],
  ['amx-int8', ['amx_int8', 'amxint8']],
  ['amx-bf16', ['amx_bf16', 'amxbf16']]
]

/** Canonical x86 SIMD features present among `flags` (any case, either spelling). */
export function x86Features (flags: Iterable<string>): string[] {
  const have = new Set([...flags].map((f) => f.toLowerCase()))
  return CANONICAL.filter(([, spellings]) => spellings.some((s) => have.has(s))).map(([name]) => name)
}

/** The feature tokens of a macOS sysctl dump (`machdep.cpu.features` and `leaf7_features`). */
export function x86FlagsFromSysctl (sysctl: Record<string, string>): string[] {
  return [sysctl['machdep.cpu.features'], sysctl['machdep.cpu.leaf7_features']]
    .flatMap((v) => (v ?? '').split(/\s+/))
    .filter((f) => f !== '')
}
