import { AsyncLocalStorage } from 'node:async_hooks'
import { TensorShapeError } from './errors.js'
import { randomNormal } from './random.js'
import * as shapes from './shapes.js'
import { Tensor, type NestedArray, type TensorOps } from './tensor.js'
import type { Backend, Conv2dOptions, DType, EngineName, Shape, TypedArray } from './types.js'

/** The public face of one tensor engine: creation, operations, scopes and accounting. */
export interface TensorEngine extends Omit<TensorOps, 'read' | 'release'> {
  readonly name: EngineName
  /** What runs the math, e.g. "onnxruntime-node 1.30.0 (native CPU kernels, 2 threads)". */
  readonly description: string
  /**
   * Threads onnxruntime runs on for this engine: its ops when the engine is onnx, and ONNX
   * models loaded with `loadModel`. Default: the CPUs this process may use.
   */
  readonly threads: number
  fromArray: (values: NestedArray | TypedArray | number[], shape?: Shape, dtype?: DType) => Tensor
  zeros: (shape: Shape, dtype?: DType) => Tensor
  ones: (shape: Shape, dtype?: DType) => Tensor
  /** Normal random values; the same seed gives the same tensor on every engine. */
  randn: (shape: Shape, options?: { seed?: number, mean?: number, stddev?: number }) => Tensor
  /**
   * Runs `fn` and disposes every tensor created inside it, except those it returns (a
   * tensor, or tensors in a returned array or object). Scopes nest and work across awaits.
   */
  tidy: <T>(fn: () => T | Promise<T>) => Promise<T>
  /** Live tensors and their bytes, to find leaks. */
  memory: () => { tensors: number, bytes: number }
  close: () => Promise<void>
}

const FLOAT_ONLY = 'needs float32 tensors'

export class DefaultTensorEngine implements TensorEngine {
  readonly name: EngineName
  readonly description: string
  readonly threads: number
  readonly #backend: Backend
  readonly #live = new Set<Tensor>()
  readonly #scope = new AsyncLocalStorage<Set<Tensor>>()
  readonly #ops: TensorOps

  constructor (backend: Backend, threads: number) {
    this.#backend = backend
    this.name = backend.name
    this.description = backend.description
    this.threads = threads
    this.#ops = {
      read: async (t) => await this.#backend.read(t.handle),
      release: (t) => {
        this.#backend.dispose(t.handle)
        this.#live.delete(t)
      },
      matmul: this.matmul,
      add: this.add,
      sub: this.sub,
      mul: this.mul,
      div: this.div,
      relu: this.relu,
      gelu: this.gelu,
      softmax: this.softmax,
      sum: this.sum,
      mean: this.mean,
      reshape: this.reshape,
      transpose: this.transpose,
      conv2d: this.conv2d
    }
  }

  #wrap (handle: unknown, shape: Shape, dtype: DType): Tensor {
    const t = new Tensor(this.#ops, handle, shape, dtype)
    this.#live.add(t)
    this.#scope.getStore()?.add(t)
    return t
  }

  fromArray = (values: NestedArray | TypedArray | number[], shape?: Shape, dtype?: DType): Tensor => {
    const { flat, inferred } = flatten(values)
    const finalShape = shape ?? inferred
    shapes.checkShape(finalShape)
    if (shapes.sizeOf(finalShape) !== flat.length) {
      throw new TensorShapeError(`fromArray: ${flat.length} values do not fill shape ${shapes.fmt(finalShape)} (${shapes.sizeOf(finalShape)} elements).`)
    }
    const type = dtype ?? (values instanceof Int32Array ? 'int32' : 'float32')
    const data = type === 'int32' ? Int32Array.from(flat, Math.trunc) : Float32Array.from(flat)
    return this.#wrap(this.#backend.fromArray(data, finalShape, type), finalShape, type)
  }

  zeros = (shape: Shape, dtype: DType = 'float32'): Tensor => this.#filled(shape, dtype, 0)
  ones = (shape: Shape, dtype: DType = 'float32'): Tensor => this.#filled(shape, dtype, 1)

  #filled (shape: Shape, dtype: DType, value: number): Tensor {
    shapes.checkShape(shape)
    const size = shapes.sizeOf(shape)
    const data = dtype === 'int32' ? new Int32Array(size).fill(value) : new Float32Array(size).fill(value)
    return this.#wrap(this.#backend.fromArray(data, shape, dtype), shape, dtype)
  }

  randn = (shape: Shape, options: { seed?: number, mean?: number, stddev?: number } = {}): Tensor => {
    shapes.checkShape(shape)
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32)
    const data = randomNormal(shapes.sizeOf(shape), seed, options.mean, options.stddev)
    return this.#wrap(this.#backend.fromArray(data, shape, 'float32'), shape, 'float32')
  }

  tidy = async <T>(fn: () => T | Promise<T>): Promise<T> => {
    const created = new Set<Tensor>()
    const result = await this.#scope.run(created, fn)
    const keep = new Set(collectTensors(result))
    const parent = this.#scope.getStore()
    for (const t of created) {
      if (keep.has(t)) parent?.add(t)
      else t.dispose()
    }
    return result
  }

  memory = (): { tensors: number, bytes: number } => {
    let bytes = 0
    for (const t of this.#live) bytes += t.size * 4 // float32 and int32 are both 4 bytes
    return { tensors: this.#live.size, bytes }
  }

  /** Runs a backend op on tensor inputs; a number operand becomes a temporary scalar tensor. */
  #binary (op: 'add' | 'sub' | 'mul' | 'div') {
    return async (a: Tensor, b: Tensor | number): Promise<Tensor> => {
      const rhs = typeof b === 'number' ? this.#scalar(b, a.dtype) : b
      try {
        if (a.dtype !== rhs.dtype) throw new TensorShapeError(`${op}: dtypes differ (${a.dtype} vs ${rhs.dtype}).`)
        if (op === 'div') requireFloat(op, a)
        const shape = shapes.broadcastShapes(op, a.shape, rhs.shape)
        return this.#wrap(await this.#backend[op](a.handle, rhs.handle), shape, a.dtype)
      } finally {
        if (rhs !== b) rhs.dispose()
      }
    }
  }

  #scalar (value: number, dtype: DType): Tensor {
    const data = dtype === 'int32' ? Int32Array.of(value) : Float32Array.of(value)
    return new Tensor(this.#ops, this.#backend.fromArray(data, [], dtype), [], dtype)
  }

  add = this.#binary('add')
  sub = this.#binary('sub')
  mul = this.#binary('mul')
  div = this.#binary('div')

  matmul = async (a: Tensor, b: Tensor): Promise<Tensor> => {
    requireFloat('matmul', a, b)
    const shape = shapes.matmulShape(a.shape, b.shape)
    return this.#wrap(await this.#backend.matmul(a.handle, b.handle), shape, 'float32')
  }

  relu = async (a: Tensor): Promise<Tensor> => {
    requireFloat('relu', a)
    return this.#wrap(await this.#backend.relu(a.handle), a.shape, 'float32')
  }

  gelu = async (a: Tensor): Promise<Tensor> => {
    requireFloat('gelu', a)
    return this.#wrap(await this.#backend.gelu(a.handle), a.shape, 'float32')
  }

  softmax = async (a: Tensor, axis = -1): Promise<Tensor> => {
    requireFloat('softmax', a)
    if (a.rank === 0) throw new TensorShapeError('softmax: needs a tensor of rank ≥ 1.')
    const [ax] = shapes.normalizeAxes('softmax', a.shape, axis)
    if (ax === a.rank - 1) return this.#wrap(await this.#backend.softmax(a.handle), a.shape, 'float32')
    // Softmax along another axis: move it last, apply, move it back.
    return await this.tidy(async () => {
      const perm = a.shape.map((_, i) => i)
      perm[ax] = a.rank - 1
      perm[a.rank - 1] = ax
      return await (await (await a.transpose(perm)).softmax()).transpose(perm)
    })
  }

  sum = async (a: Tensor, axis?: number | number[], keepDims = false): Promise<Tensor> => {
    const axes = shapes.normalizeAxes('sum', a.shape, axis)
    return this.#wrap(await this.#backend.sum(a.handle, axes, keepDims), shapes.reducedShape(a.shape, axes, keepDims), a.dtype)
  }

  mean = async (a: Tensor, axis?: number | number[], keepDims = false): Promise<Tensor> => {
    requireFloat('mean', a)
    const axes = shapes.normalizeAxes('mean', a.shape, axis)
    return this.#wrap(await this.#backend.mean(a.handle, axes, keepDims), shapes.reducedShape(a.shape, axes, keepDims), 'float32')
  }

  reshape = async (a: Tensor, shape: Shape): Promise<Tensor> => {
    const target = shapes.reshapeTarget(a.shape, shape)
    return this.#wrap(await this.#backend.reshape(a.handle, target), target, a.dtype)
  }

  transpose = async (a: Tensor, perm?: number[]): Promise<Tensor> => {
    const p = shapes.transposePerm(a.shape, perm)
    return this.#wrap(await this.#backend.transpose(a.handle, p), p.map((i) => a.shape[i]), a.dtype)
  }

  conv2d = async (x: Tensor, filter: Tensor, options: Conv2dOptions = {}): Promise<Tensor> => {
    requireFloat('conv2d', x, filter)
    const s = options.strides ?? 1
    const strides: [number, number] = Array.isArray(s) ? s : [s, s]
    const padding = options.padding ?? 'valid'
    const shape = shapes.conv2dShape(x.shape, filter.shape, strides, padding)
    return this.#wrap(await this.#backend.conv2d(x.handle, filter.handle, strides, padding), shape, 'float32')
  }

  close = async (): Promise<void> => {
    for (const t of this.#live) t.dispose()
    await this.#backend.close()
  }
}

function requireFloat (op: string, ...tensors: Tensor[]): void {
  const bad = tensors.find((t) => t.dtype !== 'float32')
  if (bad !== undefined) throw new TensorShapeError(`${op} ${FLOAT_ONLY}, got ${bad.dtype}.`)
}

/** Flattens nested arrays, inferring the shape and rejecting ragged input. */
function flatten (values: NestedArray | TypedArray | number[]): { flat: ArrayLike<number>, inferred: number[] } {
  if (typeof values === 'number') return { flat: [values], inferred: [] }
  if (ArrayBuffer.isView(values)) return { flat: values, inferred: [values.length] }
  const inferred: number[] = []
  let level: unknown = values
  while (Array.isArray(level)) {
    inferred.push(level.length)
    level = level[0]
  }
  const flat: unknown[] = (values as unknown[]).flat(Infinity)
  if (flat.length !== shapes.sizeOf(inferred) || flat.some((v) => typeof v !== 'number')) {
    throw new TensorShapeError('fromArray: the nested arrays are ragged or hold non-numbers; every row must have the same length.')
  }
  return { flat: flat as number[], inferred }
}

function collectTensors (value: unknown, depth = 0): Tensor[] {
  if (value instanceof Tensor) return [value]
  if (depth > 2 || value === null || typeof value !== 'object') return []
  return Object.values(value).flatMap((v) => collectTensors(v, depth + 1))
}
