/** Types shared by the tensor engine and its backends. */

export type DType = 'float32' | 'int32'
export type Shape = readonly number[]
export type TypedArray = Float32Array | Int32Array

/** The engines mielin knows, best first. */
export const ENGINE_NAMES = ['tfjs-node', 'onnx', 'tfjs-wasm', 'tfjs-cpu'] as const
export type EngineName = typeof ENGINE_NAMES[number]

export type Padding = 'same' | 'valid'

export interface Conv2dOptions {
  /** Stride in both spatial dimensions, or [strideH, strideW]. Default 1. */
  strides?: number | [number, number]
  /** 'valid' (no padding, the default) or 'same' (output keeps the input's spatial size / stride). */
  padding?: Padding
}

/**
 * What an engine implements. Handles are opaque to the rest of mielin; shapes have been
 * checked by the engine facade before a backend sees them, so backends only compute.
 */
export interface Backend<H = unknown> {
  readonly name: EngineName
  /** Human description of what runs the math, e.g. "onnxruntime-node 1.30 (CPU, 2 threads)". */
  readonly description: string
  fromArray: (data: TypedArray, shape: Shape, dtype: DType) => H
  read: (handle: H) => Promise<TypedArray>
  dispose: (handle: H) => void
  matmul: (a: H, b: H) => Promise<H>
  add: (a: H, b: H) => Promise<H>
  sub: (a: H, b: H) => Promise<H>
  mul: (a: H, b: H) => Promise<H>
  div: (a: H, b: H) => Promise<H>
  relu: (a: H) => Promise<H>
  gelu: (a: H) => Promise<H>
  /** Softmax along the last axis. */
  softmax: (a: H) => Promise<H>
  /** Reduces over `axes` (all when empty). */
  sum: (a: H, axes: number[], keepDims: boolean) => Promise<H>
  mean: (a: H, axes: number[], keepDims: boolean) => Promise<H>
  reshape: (a: H, shape: Shape) => Promise<H>
  transpose: (a: H, perm: number[]) => Promise<H>
  /** NHWC input, HWIO filter (height, width, in channels, out channels). */
  conv2d: (x: H, filter: H, strides: [number, number], padding: Padding) => Promise<H>
  /** Releases the engine's own resources (sessions, threads). */
  close: () => Promise<void>
}
