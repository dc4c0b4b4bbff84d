import { createRequire } from 'node:module'
import type * as Ort from 'onnxruntime-node'
import * as graphs from '../onnx/op-graphs.js'
import type { Backend, DType, Padding, Shape, TypedArray } from '../types.js'

/**
 * The onnxruntime-node engine: native, multi-threaded CPU kernels (MLAS), installed from npm
 * with its binaries inside the package. Each operation is a one-node ONNX graph compiled
 * once into a session and reused for every shape.
 */

export interface OnnxBackendInit {
  /** Intra-op threads; default: the CPUs this process may use. */
  threads: number
}

type OrtModule = typeof Ort

/**
 * How long an idle intra-op worker spins before it sleeps, in µs. onnxruntime's own default
 * is 2²⁰ pauses: about 25 ms on AMD Zen, far longer where the pause is Intel's TPAUSE (1000
 * cycles each). Every op here is a session with its own pool, so after an agent's matmul, add
 * and relu, their workers were all still spinning, on a 2-CPU machine on the core the next
 * op's worker needed: that matmul ran at about 60 GFLOP/s instead of 150-170, slower than on
 * one thread. 200 µs still covers the gap between back-to-back calls, so small ops stay as
 * fast as with the long spin (no spin at all costs a 64² matmul about 40 %).
 */
const SPIN_US = 200

/** The options of every session mielin opens: its ops' one-node graphs and ONNX models alike. */
export function onnxSessionOptions (threads: number): Ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: '1', spin_duration_us: String(SPIN_US) } } }
  }
}

export async function loadOnnxRuntime (): Promise<OrtModule> {
  const mod = await import('onnxruntime-node') as OrtModule & { default?: OrtModule }
  return mod.default ?? mod
}

export function onnxRuntimeVersion (): string {
  const require = createRequire(import.meta.url)
  return (require('onnxruntime-node/package.json') as { version: string }).version
}

export async function createOnnxBackend (init: OnnxBackendInit): Promise<Backend<Ort.Tensor>> {
  const ort = await loadOnnxRuntime()
  const sessions = new Map<string, Promise<Ort.InferenceSession>>()
  const options = onnxSessionOptions(init.threads)

  /** Runs the graph built by `build` (compiled once per key) on `feeds`, returning output Y. */
  async function run (key: string, build: () => Uint8Array, feeds: Record<string, Ort.Tensor>): Promise<Ort.Tensor> {
    let session = sessions.get(key)
    if (session === undefined) {
      session = ort.InferenceSession.create(build(), options)
      sessions.set(key, session)
      session.catch(() => sessions.delete(key)) // do not cache a failure
    }
    const out = await (await session).run(feeds)
    return out.Y
  }

  const dtypeOf = (t: Ort.Tensor): DType => t.type === 'int32' ? 'int32' : 'float32'
  const binary = (op: 'MatMul' | 'Add' | 'Sub' | 'Mul' | 'Div') => async (a: Ort.Tensor, b: Ort.Tensor) =>
    await run(`${op}:${dtypeOf(a)}`, () => graphs.binaryGraph(op, dtypeOf(a)), { A: a, B: b })
  const reduce = (op: 'ReduceSum' | 'ReduceMean') => async (a: Ort.Tensor, axes: number[], keepDims: boolean) =>
    await run(`${op}:${dtypeOf(a)}:${axes.join(',')}:${keepDims}`, () => graphs.reduceGraph(op, dtypeOf(a), axes, keepDims), { X: a })

  return {
    name: 'onnx',
    description: `onnxruntime-node ${onnxRuntimeVersion()} (native CPU kernels, ${init.threads} thread${init.threads === 1 ? '' : 's'})`,
    fromArray: (data: TypedArray, shape: Shape, dtype: DType) => new ort.Tensor(dtype, data, [...shape]),
    read: async (t) => t.data as TypedArray,
    dispose: (t) => t.dispose(),
    matmul: binary('MatMul'),
    add: binary('Add'),
    sub: binary('Sub'),
    mul: binary('Mul'),
    div: binary('Div'),
    relu: async (a) => await run('Relu', graphs.reluGraph, { X: a }),
    gelu: async (a) => await run('Gelu', graphs.geluGraph, { X: a }),
    softmax: async (a) => await run('Softmax', graphs.softmaxGraph, { X: a }),
    sum: reduce('ReduceSum'),
    mean: reduce('ReduceMean'),
    // A reshape is only new dimensions over the same CPU data: no kernel needed.
    reshape: async (a, shape) => new ort.Tensor(a.type as 'float32', a.data as Float32Array, [...shape]),
    transpose: async (a, perm) => await run(`Transpose:${dtypeOf(a)}:${perm.join(',')}`, () => graphs.transposeGraph(dtypeOf(a), perm), { X: a }),
    conv2d: async (x, w, strides: [number, number], padding: Padding) =>
      await run(`Conv2d:${strides.join(',')}:${padding}`, () => graphs.conv2dGraph(strides, padding), { X: x, W: w }),
    close: async () => {
      const all = [...sessions.values()]
      sessions.clear()
      await Promise.all(all.map(async (s) => { await (await s).release() }))
    }
  }
}
