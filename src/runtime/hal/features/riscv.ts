/**
 * RISC-V vector support from the /proc/cpuinfo `isa` string, e.g.
 * `rv64imafdcv_zicbom_zve64d_zvfh` (single-letter extensions, then `_`-separated long ones).
 *
 * - `rvv`: the ratified V extension 1.0, shown as the letter `v`.
 * - `xtheadvector`: T-Head's pre-ratification vector extension (RVV 0.7.1, C906/C910/C920),
 *   binary-incompatible with RVV 1.0. Mainline kernels name it `xtheadvector`; older vendor
 *   kernels (e.g. the Sophgo SG2042's) print a bare `v`. We read a bare `v` as xtheadvector only
 *   for T-Head (mvendorid 0x5b7) cores whose isa lists no `zv*` vector sub-extension, since a
 *   kernel that knows RVV 1.0 well enough to list those also reports V truthfully; T-Head's
 *   newer C908 does implement RVV 1.0 and may be misread by this rule on such old kernels.
 * - VLEN: `zvl<N>b` promises VLEN >= N; the largest one listed is the best lower bound.
 *   The exact VLEN is the `vlenb` CSR, which only code running on the hart can read (Linux
 *   does not publish it), so a Node process cannot learn it beyond these hints.
 */
export interface RiscvVector {
  simd: string[]
  /** VLEN in bits from the isa string (`zvl*b`), when listed. */
  vlenBits?: number
}

export const THEAD_MVENDORID = 0x5b7

export function riscvVectorFromIsa (isa: string, ids: { mvendorid?: number } = {}): RiscvVector {
  const [base = '', ...longExts] = isa.trim().toLowerCase().split('_')
  const letters = base.replace(/^rv(32|64|128)/, '')
  const hasV = letters.includes('v')
  const zv = longExts.filter((e) => /^zv/.test(e))
  const simd: string[] = []
  if (longExts.includes('xtheadvector') || (hasV && ids.mvendorid === THEAD_MVENDORID && zv.length === 0)) {
    simd.push('xtheadvector')
  } else if (hasV) {
    simd.push('rvv')
  }
  let vlenBits: number | undefined
  for (const e of zv) {
    const m = /^zvl(\d+)b$/.exec(e)
    if (m !== null) vlenBits = Math.max(vlenBits ?? 0, Number(m[1]))
  }
  return { simd, vlenBits }
}
