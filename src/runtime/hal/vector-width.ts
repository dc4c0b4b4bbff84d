import type { HardwareProfile } from './types.js'

/** How a vector width was learned. */
export type VectorWidthSource = NonNullable<HardwareProfile['maxVectorWidthSource']>

/** The profile fields a vector width depends on. */
export type VectorWidthInput = Pick<HardwareProfile, 'arch' | 'simd' | 'sveVectorLengthBits' | 'riscvVlenBits'> & {
  cpu?: Pick<HardwareProfile['cpu'], 'ids'>
}

/**
 * SVE vector lengths of cores whose SVE width is fixed in silicon and published. The kernel's
 * /proc/sys/abi/sve_default_vector_length wins when readable (it is what new processes get and
 * an admin may lower it); this table is the fallback when a dump or a sandbox hides that file.
 * - Arm Neoverse V1 (0x41/0xd40, AWS Graviton3/3E): 2×256-bit SVE pipes, VL = 256 bits.
 * - Fujitsu A64FX (0x46/0x001): VL = 512 bits.
 * Every other SVE core shipped so far (Neoverse N2/V2/V3, Grace, Cortex-X2…X925, A510…A725)
 * implements VL = 128, the architectural minimum, which is what we assume for unknown cores.
 */
const SVE_VL_BY_PART: Record<string, number> = {
  '0x41:0xd40': 256,
  '0x46:0x001': 512
}

/**
 * RISC-V VLEN of known cores, keyed `mvendorid:marchid`. SpacemiT X60 (K1, Banana Pi BPI-F3)
 * implements RVV 1.0 with VLEN = 256, though its isa string lists no `zvl256b`.
 */
const RISCV_VLEN_BY_CORE: Record<string, number> = {
  '0x710:0x8000000058000001': 256
}

/** T-Head's RVV 0.7.1 cores (C906, C910, C920) all have VLEN = 128. */
const XTHEADVECTOR_VLEN = 128

/** SVE VL in bits for a known core, from its MIDR ids (cpu.ids.implementer/part). */
export function knownSveVectorLength (ids: Record<string, string> | undefined): number | undefined {
  if (ids?.implementer === undefined || ids.part === undefined) return undefined
  return SVE_VL_BY_PART[`${ids.implementer.toLowerCase()}:${ids.part.toLowerCase()}`]
}

/** RISC-V VLEN in bits for a known core, from its ids (cpu.ids.mvendorid/marchid) and features. */
export function knownRiscvVlen (ids: Record<string, string> | undefined, simd: readonly string[]): number | undefined {
  const known = ids?.mvendorid === undefined ? undefined : RISCV_VLEN_BY_CORE[`${ids.mvendorid}:${ids.marchid ?? ''}`.toLowerCase()]
  if (known !== undefined) return known
  return simd.includes('xtheadvector') ? XTHEADVECTOR_VLEN : undefined
}

/**
 * Width in bits of the widest SIMD registers ordinary code can use, and how we know it.
 * - x86: 512 with AVX-512F, 256 with AVX, else 128 (SSE2 is part of x86-64). AMX tiles are
 *   matrix registers, not vectors, so they do not count.
 * - Arm: SVE's real vector length (see SVE_VL_BY_PART), else 128 for NEON. SME's streaming
 *   vector length (512 on Apple M4) is only usable in streaming mode, so it does not count.
 * - RISC-V: VLEN when known, else 128, the minimum RVV 1.0 allows for application processors
 *   (the V extension requires Zvl128b). No vector unit: 0.
 */
export function vectorWidth (p: VectorWidthInput): { bits: number, source: VectorWidthSource } {
  const has = (f: string): boolean => p.simd.includes(f)
  switch (p.arch) {
    case 'x86_64':
      return { bits: has('avx512f') ? 512 : has('avx') ? 256 : 128, source: 'isa' }
    case 'aarch64':
    case 'arm': {
      if (has('sve')) {
        if (p.sveVectorLengthBits !== undefined) return { bits: p.sveVectorLengthBits, source: 'os' }
        const known = knownSveVectorLength(p.cpu?.ids)
        return known !== undefined ? { bits: known, source: 'known-core' } : { bits: 128, source: 'assumed' }
      }
      // Every aarch64 Linux/macOS system has Advanced SIMD (NEON); 32-bit Arm may not.
      return has('neon') || p.arch === 'aarch64' ? { bits: 128, source: 'isa' } : { bits: 0, source: 'none' }
    }
    case 'riscv64':
      if (!has('rvv') && !has('xtheadvector')) return { bits: 0, source: 'none' }
      if (p.riscvVlenBits !== undefined) {
        const fromTable = knownRiscvVlen(p.cpu?.ids, p.simd) === p.riscvVlenBits
        return { bits: p.riscvVlenBits, source: fromTable ? 'known-core' : 'isa' }
      }
      return { bits: 128, source: 'assumed' }
    default:
      return { bits: 0, source: 'none' }
  }
}

/** Width in bits of the widest SIMD registers of the profiled CPU (0 when it has none). */
export function maxVectorWidth (profile: VectorWidthInput): number {
  return vectorWidth(profile).bits
}
