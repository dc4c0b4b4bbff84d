import { createRequire } from 'node:module'
import type * as Tf from '@tensorflow/tfjs-core'
import type { Backend, DType, EngineName, Padding, Shape, TypedArray } from '../types.js'

/**
 * The TensorFlow.js engines. One implementation serves three tfjs backends:
 * - tfjs-node: native TensorFlow (libtensorflow), when the user has @tensorflow/tfjs-node;
 * - tfjs-wasm: XNNPACK compiled to WebAssembly, with SIMD (tfjs keeps threads off in Node);
 * - tfjs-cpu: plain JavaScript kernels, always available.
 * tfjs has one global "current backend", so every operation first makes its own current.
 */

export type TfjsEngineName = Extract<EngineName, `tfjs-${string}`>

const BACKEND_OF: Record<TfjsEngineName, string> = { 'tfjs-node': 'tensorflow', 'tfjs-wasm': 'wasm', 'tfjs-cpu': 'cpu' }
const MODULE_OF: Record<TfjsEngineName, string> = {
  'tfjs-node': '@tensorflow/tfjs-node',
  'tfjs-wasm': '@tensorflow/tfjs-backend-wasm',
  'tfjs-cpu': '@tensorflow/tfjs-backend-cpu'
}

let tfPromise: Promise<typeof Tf> | undefined

/** Loads tfjs-core once; prod mode drops debug checks and the "install tfjs-node" banner. */
async function loadTfCore (): Promise<typeof Tf> {
  tfPromise ??= import('@tensorflow/tfjs-core').then((tf) => { tf.enableProdMode(); return tf })
  return await tfPromise
}

export function tfjsModuleVersion (engine: TfjsEngineName): string | undefined {
  try {
    return (createRequire(import.meta.url)(`${MODULE_OF[engine]}/package.json`) as { version: string }).version
  } catch {
    return undefined
  }
}

/** Loads the engine's backend module and makes sure tfjs can initialize it; throws when it cannot. */
export async function loadTfjs (engine: TfjsEngineName): Promise<typeof Tf> {
  const tf = await loadTfCore()
  await import(MODULE_OF[engine])
  const backend = BACKEND_OF[engine]
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs could not initialize its "${backend}" backend`)
  return tf
}

export async function createTfjsBackend (engine: TfjsEngineName): Promise<Backend<Tf.Tensor>> {
  const tf = await loadTfjs(engine)
  const backend = BACKEND_OF[engine]
  let description = `${MODULE_OF[engine]} ${tfjsModuleVersion(engine) ?? ''}`.trim()
  if (engine === 'tfjs-wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')
    description += simd === true ? ' (XNNPACK, SIMD, 1 thread)' : ' (XNNPACK, no SIMD, 1 thread)'
  }
  if (engine === 'tfjs-cpu') description += ' (plain JavaScript kernels)'

  /** Makes this engine's backend current, then runs `op` synchronously so no other engine can interleave. */
  async function on<T> (op: () => T): Promise<T> {
    while (tf.getBackend() !== backend) await tf.setBackend(backend)
    return op()
  }

  return {
    name: engine,
    description,
    fromArray: (data: TypedArray, shape: Shape, dtype: DType) => tf.tensor(data, [...shape], dtype),
    // A tensor remembers its own backend, so reading needs no switch.
    read: async (t) => await t.data() as TypedArray,
    dispose: (t) => t.dispose(),
    matmul: async (a, b) => await on(() => tf.matMul(a, b)),
    add: async (a, b) => await on(() => tf.add(a, b)),
    sub: async (a, b) => await on(() => tf.sub(a, b)),
    mul: async (a, b) => await on(() => tf.mul(a, b)),
    div: async (a, b) => await on(() => tf.div(a, b)),
    relu: async (a) => await on(() => tf.relu(a)),
    // Exact GELU, 0.5·x·(1 + erf(x/√2)); tfjs-core has no gelu op of its own.
    gelu: async (a) => await on(() => tf.tidy(() => tf.mul(tf.mul(a, 0.5), tf.add(tf.erf(tf.div(a, Math.SQRT2)), 1)))),
    softmax: async (a) => await on(() => tf.softmax(a)),
    sum: async (a, axes, keepDims) => await on(() => tf.sum(a, axes.length > 0 ? axes : undefined, keepDims)),
    mean: async (a, axes, keepDims) => await on(() => tf.mean(a, axes.length > 0 ? axes : undefined, keepDims)),
    reshape: async (a, shape) => await on(() => tf.reshape(a, [...shape])),
    transpose: async (a, perm) => await on(() => tf.transpose(a, perm)),
    conv2d: async (x, w, strides: [number, number], padding: Padding) =>
      await on(() => tf.conv2d(x as Tf.Tensor4D, w as Tf.Tensor4D, strides, padding)),
    close: async () => {}
  }
}
