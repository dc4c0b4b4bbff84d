import { buildModel, OnnxType, type GraphSpec, type OnnxElemType } from './model-builder.js'
import type { DType, Padding } from '../types.js'

/**
 * The one-operation ONNX graphs the onnxruntime engine runs. Inputs have unknown shapes, so
 * one compiled session serves every shape; a session is keyed by op, dtype and attributes.
 */

export const onnxTypeOf = (dtype: DType): OnnxElemType => dtype === 'int32' ? OnnxType.int32 : OnnxType.float

const io = (names: string[], type: OnnxElemType): GraphSpec['inputs'] => names.map((name) => ({ name, type }))
const scalar = (name: string, value: number): NonNullable<GraphSpec['initializers']>[number] =>
  ({ name, type: OnnxType.float, dims: [], data: new Float32Array([value]) })

export function binaryGraph (op: 'MatMul' | 'Add' | 'Sub' | 'Mul' | 'Div', dtype: DType): Uint8Array {
  const t = onnxTypeOf(dtype)
  return buildModel({ name: op, nodes: [{ op, inputs: ['A', 'B'], outputs: ['Y'] }], inputs: io(['A', 'B'], t), outputs: io(['Y'], t) })
}

export function reluGraph (): Uint8Array {
  const t = OnnxType.float
  return buildModel({ name: 'Relu', nodes: [{ op: 'Relu', inputs: ['X'], outputs: ['Y'] }], inputs: io(['X'], t), outputs: io(['Y'], t) })
}

/** Exact GELU, 0.5·x·(1 + erf(x/√2)), the same formula every mielin engine uses. */
export function geluGraph (): Uint8Array {
  const t = OnnxType.float
  return buildModel({
    name: 'Gelu',
    nodes: [
      { op: 'Div', inputs: ['X', 'sqrt2'], outputs: ['scaled'] },
      { op: 'Erf', inputs: ['scaled'], outputs: ['erf'] },
      { op: 'Add', inputs: ['erf', 'one'], outputs: ['onePlus'] },
      { op: 'Mul', inputs: ['X', 'onePlus'], outputs: ['xTimes'] },
      { op: 'Mul', inputs: ['xTimes', 'half'], outputs: ['Y'] }
    ],
    initializers: [scalar('sqrt2', Math.SQRT2), scalar('one', 1), scalar('half', 0.5)],
    inputs: io(['X'], t),
    outputs: io(['Y'], t)
  })
}

export function softmaxGraph (): Uint8Array {
  const t = OnnxType.float
  return buildModel({
    name: 'Softmax',
    nodes: [{ op: 'Softmax', inputs: ['X'], outputs: ['Y'], attributes: { axis: -1 } }],
    inputs: io(['X'], t),
    outputs: io(['Y'], t)
  })
}

/** ReduceSum (axes as an input since opset 13) or ReduceMean (axes as an attribute in opset 13). */
export function reduceGraph (op: 'ReduceSum' | 'ReduceMean', dtype: DType, axes: number[], keepDims: boolean): Uint8Array {
  const t = onnxTypeOf(dtype)
  const keepdims = keepDims ? 1 : 0
  if (op === 'ReduceMean') {
    const attributes: Record<string, number | number[]> = axes.length > 0 ? { axes, keepdims } : { keepdims }
    return buildModel({ name: op, nodes: [{ op, inputs: ['X'], outputs: ['Y'], attributes }], inputs: io(['X'], t), outputs: io(['Y'], t) })
  }
  const initializers = axes.length > 0
    ? [{ name: 'axes', type: OnnxType.int64, dims: [axes.length], data: BigInt64Array.from(axes.map(BigInt)) }]
    : []
  return buildModel({
    name: op,
    nodes: [{ op, inputs: axes.length > 0 ? ['X', 'axes'] : ['X'], outputs: ['Y'], attributes: { keepdims } }],
    initializers,
    inputs: io(['X'], t),
    outputs: io(['Y'], t)
  })
}

export function transposeGraph (dtype: DType, perm: number[]): Uint8Array {
  const t = onnxTypeOf(dtype)
  return buildModel({
    name: 'Transpose',
    nodes: [{ op: 'Transpose', inputs: ['X'], outputs: ['Y'], attributes: { perm } }],
    inputs: io(['X'], t),
    outputs: io(['Y'], t)
  })
}

/**
 * mielin's conv2d takes NHWC input and HWIO filters (the TensorFlow layout); ONNX Conv wants
 * NCHW and OIHW, so the graph transposes around it. 'same' pads like TensorFlow: any odd
 * padding goes at the end (SAME_UPPER).
 */
export function conv2dGraph (strides: [number, number], padding: Padding): Uint8Array {
  const t = OnnxType.float
  return buildModel({
    name: 'Conv2d',
    nodes: [
      { op: 'Transpose', inputs: ['X'], outputs: ['Xnchw'], attributes: { perm: [0, 3, 1, 2] } },
      { op: 'Transpose', inputs: ['W'], outputs: ['Woihw'], attributes: { perm: [3, 2, 0, 1] } },
      {
        op: 'Conv',
        inputs: ['Xnchw', 'Woihw'],
        outputs: ['Ynchw'],
        attributes: { strides, auto_pad: padding === 'same' ? 'SAME_UPPER' : 'VALID' }
      },
      { op: 'Transpose', inputs: ['Ynchw'], outputs: ['Y'], attributes: { perm: [0, 2, 3, 1] } }
    ],
    inputs: io(['X', 'W'], t),
    outputs: io(['Y'], t)
  })
}
