import { buildModel, OnnxType } from '../src/runtime/tensor/onnx/model-builder.js'

/**
 * A tiny two-layer perceptron, y = softmax(relu(x·W1 + b1)·W2 + b2), x: float32[N, 4],
 * y: float32[N, 3], with fixed weights. It is written to templates/models/tiny-mlp.onnx by
 * `npm run fixtures:model`, and tests compare onnxruntime's answer with `referenceForward`.
 */

// Weights are a fixed function of their position, so the model is reproducible without a seed.
const weight = (rows: number, cols: number, salt: number): Float32Array =>
  Float32Array.from({ length: rows * cols }, (_, i) => Math.round(Math.sin(i * 1.7 + salt) * 100) / 100)

export const W1 = weight(4, 8, 1)
export const B1 = weight(1, 8, 2)
export const W2 = weight(8, 3, 3)
export const B2 = weight(1, 3, 4)

export function buildTinyMlp (): Uint8Array {
  const f = OnnxType.float
  return buildModel({
    name: 'tiny-mlp',
    nodes: [
      { op: 'MatMul', inputs: ['x', 'W1'], outputs: ['h0'] },
      { op: 'Add', inputs: ['h0', 'B1'], outputs: ['h1'] },
      { op: 'Relu', inputs: ['h1'], outputs: ['h2'] },
      { op: 'MatMul', inputs: ['h2', 'W2'], outputs: ['l0'] },
      { op: 'Add', inputs: ['l0', 'B2'], outputs: ['logits'] },
      { op: 'Softmax', inputs: ['logits'], outputs: ['y'], attributes: { axis: -1 } }
    ],
    initializers: [
      { name: 'W1', type: f, dims: [4, 8], data: W1 },
      { name: 'B1', type: f, dims: [8], data: B1 },
      { name: 'W2', type: f, dims: [8, 3], data: W2 },
      { name: 'B2', type: f, dims: [3], data: B2 }
    ],
    inputs: [{ name: 'x', type: f, shape: ['N', 4] }],
    outputs: [{ name: 'y', type: f, shape: ['N', 3] }]
  })
}

/** The same forward pass in plain float64 JavaScript. */
export function referenceForward (x: number[][]): number[][] {
  return x.map((row) => {
    const h = Array.from({ length: 8 }, (_, j) => Math.max(0, row.reduce((s, v, k) => s + v * W1[k * 8 + j], B1[j])))
    const logits = Array.from({ length: 3 }, (_, j) => h.reduce((s, v, k) => s + v * W2[k * 3 + j], B2[j]))
    const m = Math.max(...logits)
    const e = logits.map((l) => Math.exp(l - m))
    const z = e.reduce((a, b) => a + b, 0)
    return e.map((v) => v / z)
  })
}
