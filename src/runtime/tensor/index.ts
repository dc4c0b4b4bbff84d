/**
 * The tensor engine: a small Tensor API (zeros, randn, fromArray, matmul, add, relu, gelu,
 * softmax, conv2d, …) over the fastest engine this machine has, chosen from its hardware
 * profile: native TensorFlow (tfjs-node) when installed, onnxruntime-node, the tfjs
 * WebAssembly backend, or plain JavaScript. Tensors stay inside the engine; free them with
 * `dispose()` or create them inside `tidy()`. ONNX models load with `loadModel`.
 *
 * @example
 * ```ts
 * const engine = await createTensorEngine()
 * const y = await engine.tidy(async () => {
 *   const x = engine.randn([2, 3], { seed: 1 })
 *   const w = engine.ones([3, 4])
 *   return await (await x.matmul(w)).relu()
 * })
 * console.log(engine.name, await y.toArray())
 * y.dispose()
 * await engine.close()
 * ```
 */
export * from './errors.js'
export type { TensorEngine } from './engine.js'
export { ENGINE_NAMES, type Conv2dOptions, type DType, type EngineName, type Padding, type Shape } from './types.js'
export { Tensor, type NestedArray } from './tensor.js'
export { benchMatmul, type MatmulBenchOptions, type MatmulBenchResult } from './bench.js'
export { benchTensorEngines, type TensorBenchReport, type TensorBenchInit } from './bench-engines.js'
export { chooseEngine, type EngineCandidate, type EngineChoice, type EngineProbe } from './choose-engine.js'
export { createTensorEngine, parseEngineName, selectEngine, type TensorEngineInit } from './create.js'
export { loadModel, describeValue, type Model, type ModelValue } from './model.js'
export { runModelFile, type RunModelInit, type RunModelResult } from './run-model.js'
