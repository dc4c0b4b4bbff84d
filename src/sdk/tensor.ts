import { AgentError, type AgentTensors, type Model, type Tensor, type TensorData, type TensorInput } from './agent.js'
import { callHost, type TensorInterface } from './host.js'

/**
 * `ctx.tensor`: small objects over the host's numeric tensor handles. Each op is one host
 * call; `tidy` records the handles made inside it and disposes them afterwards.
 */
export function createTensors (host: TensorInterface): AgentTensors {
  const scopes: Array<Set<number>> = []
  const track = (handle: number): Tensor => {
    scopes.at(-1)?.add(handle)
    return wrap(handle)
  }
  const binary = (op: string, a: Tensor, b: Tensor): Tensor => track(callHost(() => host.binary(op, a.handle, b.handle)))
  const unary = (op: string, a: Tensor): Tensor => track(callHost(() => host.unary(op, a.handle)))

  function wrap (handle: number): Tensor {
    const t: Tensor = {
      handle,
      add: (o) => binary('add', t, o),
      sub: (o) => binary('sub', t, o),
      mul: (o) => binary('mul', t, o),
      div: (o) => binary('div', t, o),
      matmul: (o) => binary('matmul', t, o),
      relu: () => unary('relu', t),
      gelu: () => unary('gelu', t),
      softmax: () => unary('softmax', t),
      sum: () => unary('sum', t),
      mean: () => unary('mean', t),
      transpose: () => unary('transpose', t),
      reshape: (shape) => track(callHost(() => host.reshape(handle, toShape(shape)))),
      read: (): TensorData => {
        const r = callHost(() => host.read(handle))
        return { data: Array.from(r.data), shape: Array.from(r.shape) }
      },
      dispose: () => {
        for (const scope of scopes) scope.delete(handle)
        host.dispose(handle)
      }
    }
    return t
  }

  const model = (handle: number): Model => ({ handle, run: (inputs) => runModel(handle, inputs) })
  const runModel = (handle: number, inputs: Record<string, Tensor>): Record<string, Tensor> => {
    const pairs = Object.entries(inputs).map(([name, t]): [string, number] => [name, t.handle])
    const out = callHost(() => host.runModel(handle, pairs))
    return Object.fromEntries(out.map(([name, h]) => [name, track(h)]))
  }

  return {
    fromArray (data, shape) {
      const { values, dims } = flatten(data)
      const s = shape ?? dims
      const hostShape = toShape(s)
      const size = s.reduce((a, b) => a * b, 1)
      if (size !== values.length) {
        throw new AgentError('E_TENSOR_SHAPE', `shape [${s.join(', ')}] holds ${size} values but ${values.length} were given`)
      }
      return track(callHost(() => host.create(values, hostShape)))
    },
    loadModel: (onnx) => model(callHost(() => host.loadModel(onnx))),
    runModel: (m, inputs) => runModel(m.handle, inputs),
    tidy (fn) {
      const scope = new Set<number>()
      scopes.push(scope)
      let result
      try {
        result = fn()
      } finally {
        scopes.pop()
        for (const h of kept(result)) scope.delete(h)
        for (const h of scope) host.dispose(h)
        // What survives belongs to the enclosing scope, if any.
        for (const h of kept(result)) scopes.at(-1)?.add(h)
      }
      return result
    }
  }
}

function toShape (shape: readonly number[]): Uint32Array {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new AgentError('E_TENSOR_SHAPE', `a shape holds whole numbers ≥ 0, got [${shape.join(', ')}]`)
  }
  return Uint32Array.from(shape)
}

/** Values and shape of flat or nested numbers. */
function flatten (data: TensorInput): { values: Float32Array, dims: number[] } {
  const dims: number[] = []
  let level: unknown = data
  while (Array.isArray(level)) {
    dims.push(level.length)
    level = level[0]
  }
  if (dims.length === 0) return { values: Float32Array.from(data as ArrayLike<number>), dims: [(data as ArrayLike<number>).length] }
  const flat = (data as unknown[]).flat(dims.length) as number[]
  return { values: Float32Array.from(flat), dims }
}

/** Handles of the tensors a tidy callback returned (a tensor, or an array / record of them). */
function kept (value: unknown): number[] {
  const isTensor = (v: unknown): v is Tensor => typeof v === 'object' && v !== null && typeof (v as Tensor).handle === 'number' && typeof (v as Tensor).dispose === 'function'
  if (isTensor(value)) return [value.handle]
  if (Array.isArray(value)) return value.filter(isTensor).map((t) => t.handle)
  if (typeof value === 'object' && value !== null) return Object.values(value).filter(isTensor).map((t) => t.handle)
  return []
}
