import { bytesField, floatField, intField, stringField, type Bytes } from './protobuf.js'

/**
 * Builds ONNX models (ModelProto) in memory. Field numbers follow onnx/onnx.proto. Used for
 * the one-node graphs behind the onnxruntime engine's operations, and for the tiny test
 * model in test/fixtures.
 */

/** ONNX TensorProto.DataType values for the dtypes mielin uses. */
export const OnnxType = { float: 1, int32: 6, int64: 7 } as const
export type OnnxElemType = typeof OnnxType[keyof typeof OnnxType]

export type AttributeValue = number | number[] | string | { float: number }

export interface NodeSpec {
  op: string
  inputs: string[]
  outputs: string[]
  attributes?: Record<string, AttributeValue>
  domain?: string
}

export interface ValueSpec {
  name: string
  type: OnnxElemType
  /** Dimensions; a string is a symbolic dimension, undefined leaves the rank unknown. */
  shape?: Array<number | string>
}

export interface InitializerSpec {
  name: string
  type: OnnxElemType
  dims: number[]
  data: Float32Array | Int32Array | BigInt64Array
}

export interface GraphSpec {
  name: string
  nodes: NodeSpec[]
  inputs: ValueSpec[]
  outputs: ValueSpec[]
  initializers?: InitializerSpec[]
  /** Default opset of the model (ai.onnx domain); 13 unless an op needs newer. */
  opset?: number
}

// AttributeProto.AttributeType
const ATTR_FLOAT = 1
const ATTR_INT = 2
const ATTR_STRING = 3
const ATTR_INTS = 7

function attribute (name: string, value: AttributeValue): Bytes {
  const head = stringField(1, name)
  if (typeof value === 'string') return [...head, ...intField(20, ATTR_STRING), ...bytesField(4, Buffer.from(value))]
  if (Array.isArray(value)) return [...head, ...intField(20, ATTR_INTS), ...value.flatMap((v) => intField(8, v))]
  if (typeof value === 'object') return [...head, ...intField(20, ATTR_FLOAT), ...floatField(2, value.float)]
  return [...head, ...intField(20, ATTR_INT), ...intField(3, value)]
}

function node (spec: NodeSpec, index: number): Bytes {
  return [
    ...spec.inputs.flatMap((i) => stringField(1, i)),
    ...spec.outputs.flatMap((o) => stringField(2, o)),
    ...stringField(3, `${spec.op.toLowerCase()}_${index}`),
    ...stringField(4, spec.op),
    ...Object.entries(spec.attributes ?? {}).flatMap(([k, v]) => bytesField(5, attribute(k, v))),
    ...(spec.domain !== undefined ? stringField(7, spec.domain) : [])
  ]
}

function valueInfo (spec: ValueSpec): Bytes {
  const dims = spec.shape?.map((d) => bytesField(1, typeof d === 'number' ? intField(1, d) : stringField(2, d)))
  const shape = dims === undefined ? [] : bytesField(2, dims.flat())
  const tensorType = bytesField(1, [...intField(1, spec.type), ...shape])
  return [...stringField(1, spec.name), ...bytesField(2, tensorType)]
}

function initializer (spec: InitializerSpec): Bytes {
  const raw = new Uint8Array(spec.data.buffer, spec.data.byteOffset, spec.data.byteLength)
  return [
    ...spec.dims.flatMap((d) => intField(1, d)),
    ...intField(2, spec.type),
    ...stringField(8, spec.name),
    ...bytesField(9, raw)
  ]
}

/** Serializes a one-graph ONNX model. */
export function buildModel (graph: GraphSpec): Uint8Array {
  const graphBytes = [
    ...graph.nodes.flatMap((n, i) => bytesField(1, node(n, i))),
    ...stringField(2, graph.name),
    ...(graph.initializers ?? []).flatMap((i) => bytesField(5, initializer(i))),
    ...graph.inputs.flatMap((i) => bytesField(11, valueInfo(i))),
    ...graph.outputs.flatMap((o) => bytesField(12, valueInfo(o)))
  ]
  return new Uint8Array([
    ...intField(1, 8), // ir_version 8: understood by every onnxruntime since 1.10
    ...stringField(2, 'mielin'),
    ...bytesField(7, graphBytes),
    ...bytesField(8, [...stringField(1, ''), ...intField(2, graph.opset ?? 13)])
  ])
}
