/**
 * Seeded random numbers, generated on the host so that `randn({ seed })` gives the same
 * tensor on every engine (tests compare engines on identical inputs).
 */

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32 (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Standard normal samples (Box–Muller), scaled by `stddev` and shifted by `mean`. */
export function randomNormal (count: number, seed: number, mean = 0, stddev = 1): Float32Array {
  const next = mulberry32(seed)
  const out = new Float32Array(count)
  for (let i = 0; i < count; i += 2) {
    const u = 1 - next() // (0, 1]: log(0) would be -Infinity
    const v = next()
    const r = Math.sqrt(-2 * Math.log(u))
    out[i] = mean + stddev * r * Math.cos(2 * Math.PI * v)
    if (i + 1 < count) out[i + 1] = mean + stddev * r * Math.sin(2 * Math.PI * v)
  }
  return out
}
