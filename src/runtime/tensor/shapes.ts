import { TensorShapeError } from './errors.js'
import type { Padding, Shape } from './types.js'

/**
 * Shape rules, checked before any engine runs, so every engine fails the same way with
 * an error that names the shapes (engines' own messages differ and are often cryptic).
 */

export const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1)
export const fmt = (shape: Shape): string => `[${shape.join(', ')}]`

export function checkShape (shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new TensorShapeError(`Invalid shape ${fmt(shape)}: dimensions must be integers ≥ 0.`)
  }
}

/** NumPy broadcasting of two shapes. */
export function broadcastShapes (op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length)
  const out: number[] = []
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1
    const db = b[b.length - rank + i] ?? 1
    if (da !== db && da !== 1 && db !== 1) {
      throw new TensorShapeError(`${op}: shapes ${fmt(a)} and ${fmt(b)} do not broadcast (dimension ${i}: ${da} vs ${db}).`)
    }
    out.push(da === 1 ? db : da)
  }
  return out
}

/** matmul of [m,k]·[k,n], or batched [b,m,k]·[b,k,n] with equal batch. */
export function matmulShape (a: Shape, b: Shape): number[] {
  const bad = (why: string): never => { throw new TensorShapeError(`matmul: cannot multiply ${fmt(a)} by ${fmt(b)}: ${why}.`) }
  if (a.length !== b.length || a.length < 2 || a.length > 3) bad('both must be rank 2, or both rank 3 (batched)')
  if (a.length === 3 && a[0] !== b[0]) bad('batch sizes differ')
  if (a[a.length - 1] !== b[b.length - 2]) bad(`inner dimensions differ (${a[a.length - 1]} vs ${b[b.length - 2]})`)
  return [...a.slice(0, -1), b[b.length - 1]]
}

/** Normalizes reduction axes (negative allowed) to sorted unique non-negative ones. */
export function normalizeAxes (op: string, shape: Shape, axis?: number | number[]): number[] {
  if (axis === undefined) return []
  const list = Array.isArray(axis) ? axis : [axis]
  const out = list.map((x) => {
    if (!Number.isInteger(x) || x < -shape.length || x >= shape.length) {
      throw new TensorShapeError(`${op}: axis ${x} is out of range for a rank-${shape.length} tensor ${fmt(shape)}.`)
    }
    return x < 0 ? x + shape.length : x
  })
  return [...new Set(out)].sort((x, y) => x - y)
}

export function reducedShape (shape: Shape, axes: number[], keepDims: boolean): number[] {
  const all = axes.length === 0
  return shape.flatMap((d, i) => (all || axes.includes(i)) ? (keepDims ? [1] : []) : [d])
}

/** Resolves one -1 in a reshape target and checks the element count. */
export function reshapeTarget (from: Shape, to: Shape): number[] {
  const inferred = to.filter((d) => d === -1).length
  if (inferred > 1) throw new TensorShapeError(`reshape: at most one dimension can be -1, got ${fmt(to)}.`)
  const known = sizeOf(to.filter((d) => d !== -1))
  const total = sizeOf(from)
  const out = to.map((d) => d === -1 ? (known === 0 ? 0 : total / known) : d)
  if (!out.every((d) => Number.isInteger(d) && d >= 0) || sizeOf(out) !== total) {
    throw new TensorShapeError(`reshape: cannot reshape ${fmt(from)} (${total} elements) to ${fmt(to)}.`)
  }
  return out
}

export function transposePerm (shape: Shape, perm?: number[]): number[] {
  const p = perm ?? shape.map((_, i) => shape.length - 1 - i)
  const ok = p.length === shape.length && [...p].sort((x, y) => x - y).every((v, i) => v === i)
  if (!ok) throw new TensorShapeError(`transpose: ${fmt(p)} is not a permutation of the ${shape.length} axes of ${fmt(shape)}.`)
  return p
}

/** Output shape of an NHWC × HWIO convolution. */
export function conv2dShape (x: Shape, w: Shape, strides: [number, number], padding: Padding): number[] {
  if (x.length !== 4 || w.length !== 4) {
    throw new TensorShapeError(`conv2d: input must be NHWC (rank 4) and filter HWIO (rank 4), got ${fmt(x)} and ${fmt(w)}.`)
  }
  if (x[3] !== w[2]) throw new TensorShapeError(`conv2d: input has ${x[3]} channels but the filter expects ${w[2]} (${fmt(x)} vs ${fmt(w)}).`)
  if (!strides.every((s) => Number.isInteger(s) && s >= 1)) throw new TensorShapeError(`conv2d: strides must be integers ≥ 1, got ${fmt(strides)}.`)
  const out = (size: number, k: number, s: number): number => padding === 'same' ? Math.ceil(size / s) : Math.floor((size - k) / s) + 1
  const h = out(x[1], w[0], strides[0])
  const wd = out(x[2], w[1], strides[1])
  if (h < 1 || wd < 1) throw new TensorShapeError(`conv2d: a ${w[0]}×${w[1]} filter does not fit a ${x[1]}×${x[2]} input with 'valid' padding.`)
  return [x[0], h, wd, w[3]]
}
