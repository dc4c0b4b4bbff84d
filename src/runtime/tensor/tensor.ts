import { TensorDisposedError } from './errors.js'
import { sizeOf } from './shapes.js'
import type { Conv2dOptions, DType, Shape, TypedArray } from './types.js'

/** Nested arrays as returned by `toArray()`; a rank-0 tensor gives a plain number. */
export type NestedArray = number | NestedArray[]

/** What a Tensor needs from its engine; the engine implements it. */
export interface TensorOps {
  read: (t: Tensor) => Promise<TypedArray>
  release: (t: Tensor) => void
  matmul: (a: Tensor, b: Tensor) => Promise<Tensor>
  add: (a: Tensor, b: Tensor | number) => Promise<Tensor>
  sub: (a: Tensor, b: Tensor | number) => Promise<Tensor>
  mul: (a: Tensor, b: Tensor | number) => Promise<Tensor>
  div: (a: Tensor, b: Tensor | number) => Promise<Tensor>
  relu: (a: Tensor) => Promise<Tensor>
  gelu: (a: Tensor) => Promise<Tensor>
  softmax: (a: Tensor, axis?: number) => Promise<Tensor>
  sum: (a: Tensor, axis?: number | number[], keepDims?: boolean) => Promise<Tensor>
  mean: (a: Tensor, axis?: number | number[], keepDims?: boolean) => Promise<Tensor>
  reshape: (a: Tensor, shape: Shape) => Promise<Tensor>
  transpose: (a: Tensor, perm?: number[]) => Promise<Tensor>
  conv2d: (x: Tensor, filter: Tensor, options?: Conv2dOptions) => Promise<Tensor>
}

/**
 * An n-dimensional array that lives in an engine (native memory, a WebAssembly heap or JS).
 * Operations return new tensors and never change their inputs. Free a tensor with
 * `dispose()`, a `using` declaration, or by creating it inside `engine.tidy()`.
 */
export class Tensor {
  readonly shape: readonly number[]
  readonly dtype: DType
  readonly size: number
  #handle: unknown
  readonly #ops: TensorOps

  /** @internal Tensors are made by an engine (`engine.fromArray`, `engine.zeros`, …), not directly. */
  constructor (ops: TensorOps, handle: unknown, shape: Shape, dtype: DType) {
    this.#ops = ops
    this.#handle = handle
    this.shape = Object.freeze([...shape])
    this.dtype = dtype
    this.size = sizeOf(shape)
  }

  get rank (): number { return this.shape.length }
  get isDisposed (): boolean { return this.#handle === undefined }

  /** @internal The engine-specific handle; throws once disposed. */
  get handle (): unknown {
    if (this.#handle === undefined) throw new TensorDisposedError()
    return this.#handle
  }

  /** Frees the tensor's memory in its engine. Safe to call twice. */
  dispose (): void {
    if (this.#handle === undefined) return
    this.#ops.release(this)
    this.#handle = undefined
  }

  [Symbol.dispose] (): void { this.dispose() }

  /** The values, flat, in row-major order. */
  async data (): Promise<TypedArray> { return await this.#ops.read(this) }

  /** The values as nested arrays of the tensor's shape. */
  async toArray (): Promise<NestedArray> {
    const flat = Array.from(await this.data())
    if (this.shape.length === 0) return flat[0]
    const nest = (offset: number, dim: number): NestedArray[] => {
      const stride = sizeOf(this.shape.slice(dim + 1))
      return Array.from({ length: this.shape[dim] }, (_, i) =>
        dim === this.shape.length - 1 ? flat[offset + i] : nest(offset + i * stride, dim + 1))
    }
    return nest(0, 0)
  }

  matmul (b: Tensor): Promise<Tensor> { return this.#ops.matmul(this, b) }
  add (b: Tensor | number): Promise<Tensor> { return this.#ops.add(this, b) }
  sub (b: Tensor | number): Promise<Tensor> { return this.#ops.sub(this, b) }
  mul (b: Tensor | number): Promise<Tensor> { return this.#ops.mul(this, b) }
  div (b: Tensor | number): Promise<Tensor> { return this.#ops.div(this, b) }
  relu (): Promise<Tensor> { return this.#ops.relu(this) }
  gelu (): Promise<Tensor> { return this.#ops.gelu(this) }
  softmax (axis?: number): Promise<Tensor> { return this.#ops.softmax(this, axis) }
  sum (axis?: number | number[], keepDims?: boolean): Promise<Tensor> { return this.#ops.sum(this, axis, keepDims) }
  mean (axis?: number | number[], keepDims?: boolean): Promise<Tensor> { return this.#ops.mean(this, axis, keepDims) }
  reshape (shape: Shape): Promise<Tensor> { return this.#ops.reshape(this, shape) }
  transpose (perm?: number[]): Promise<Tensor> { return this.#ops.transpose(this, perm) }
  conv2d (filter: Tensor, options?: Conv2dOptions): Promise<Tensor> { return this.#ops.conv2d(this, filter, options) }

  toString (): string { return `Tensor(${this.dtype}, [${this.shape.join(', ')}])` }
}
