/**
 * Plain float64 reference implementations of the tensor ops, written for clarity only.
 * Engine results are compared with these within a tolerance.
 */
export interface Ref { data: number[], shape: number[] }

const size = (s: number[]): number => s.reduce((a, b) => a * b, 1)
const strides = (s: number[]): number[] => s.map((_, i) => size(s.slice(i + 1)))
const index = (idx: number[], s: number[]): number => idx.reduce((acc, v, i) => acc + v * strides(s)[i], 0)
const unravel = (flat: number, s: number[]): number[] => strides(s).map((st, i) => Math.floor(flat / st) % s[i])

export function refMatmul (a: Ref, b: Ref): Ref {
  const [m, k] = a.shape
  const n = b.shape[1]
  const data = new Array<number>(m * n).fill(0)
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let x = 0; x < k; x++) data[i * n + j] += a.data[i * k + x] * b.data[x * n + j]
  return { data, shape: [m, n] }
}

export function refBroadcast (a: Ref, b: Ref, f: (x: number, y: number) => number): Ref {
  const rank = Math.max(a.shape.length, b.shape.length)
  const pad = (s: number[]): number[] => [...new Array<number>(rank - s.length).fill(1), ...s]
  const sa = pad(a.shape); const sb = pad(b.shape)
  const shape = sa.map((d, i) => Math.max(d, sb[i]))
  const data = Array.from({ length: size(shape) }, (_, flat) => {
    const idx = unravel(flat, shape)
    return f(a.data[index(idx.map((v, i) => sa[i] === 1 ? 0 : v), sa)], b.data[index(idx.map((v, i) => sb[i] === 1 ? 0 : v), sb)])
  })
  return { data, shape }
}

export const refMap = (a: Ref, f: (x: number) => number): Ref => ({ data: a.data.map(f), shape: a.shape })

/** erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7). */
export function erf (x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x))
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x)
  return x >= 0 ? y : -y
}

export function refSoftmaxLast (a: Ref): Ref {
  const n = a.shape[a.shape.length - 1]
  const data: number[] = []
  for (let r = 0; r < a.data.length / n; r++) {
    const row = a.data.slice(r * n, r * n + n)
    const m = Math.max(...row)
    const e = row.map((v) => Math.exp(v - m))
    const z = e.reduce((x, y) => x + y, 0)
    data.push(...e.map((v) => v / z))
  }
  return { data, shape: a.shape }
}

export function refReduce (a: Ref, axes: number[], mean: boolean): Ref {
  const all = axes.length === 0
  const keep = a.shape.map((_, i) => !(all || axes.includes(i)))
  const shape = a.shape.filter((_, i) => keep[i])
  const data = new Array<number>(size(shape)).fill(0)
  const count = size(a.shape) / Math.max(1, size(shape))
  a.data.forEach((v, flat) => {
    const idx = unravel(flat, a.shape).filter((_, i) => keep[i])
    data[index(idx, shape)] += mean ? v / count : v
  })
  return { data, shape }
}

export function refTranspose (a: Ref, perm: number[]): Ref {
  const shape = perm.map((p) => a.shape[p])
  const data = Array.from({ length: a.data.length }, (_, flat) => {
    const idx = unravel(flat, shape)
    const src = new Array<number>(perm.length)
    perm.forEach((p, i) => { src[p] = idx[i] })
    return a.data[index(src, a.shape)]
  })
  return { data, shape }
}

/** NHWC × HWIO convolution, 'valid' or TensorFlow-style 'same' padding. */
export function refConv2d (x: Ref, w: Ref, stride: number, padding: 'same' | 'valid'): Ref {
  const [n, h, wd, c] = x.shape
  const [kh, kw, , o] = w.shape
  const oh = padding === 'same' ? Math.ceil(h / stride) : Math.floor((h - kh) / stride) + 1
  const ow = padding === 'same' ? Math.ceil(wd / stride) : Math.floor((wd - kw) / stride) + 1
  const padTop = padding === 'same' ? Math.floor(Math.max((oh - 1) * stride + kh - h, 0) / 2) : 0
  const padLeft = padding === 'same' ? Math.floor(Math.max((ow - 1) * stride + kw - wd, 0) / 2) : 0
  const shape = [n, oh, ow, o]
  const data = new Array<number>(size(shape)).fill(0)
  for (let b = 0; b < n; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let oc = 0; oc < o; oc++) {
    let s = 0
    for (let di = 0; di < kh; di++) for (let dj = 0; dj < kw; dj++) for (let ic = 0; ic < c; ic++) {
      const y = i * stride + di - padTop; const xx = j * stride + dj - padLeft
      if (y < 0 || y >= h || xx < 0 || xx >= wd) continue
      s += x.data[index([b, y, xx, ic], x.shape)] * w.data[index([di, dj, ic, oc], w.shape)]
    }
    data[index([b, i, j, oc], shape)] = s
  }
  return { data, shape }
}
