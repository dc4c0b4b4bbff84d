import { createTensorEngine, type TensorEngineInit } from './create.js'
import { TensorShapeError } from './errors.js'
import { describeValue, loadModel, type ModelValue } from './model.js'
import type { NestedArray, Tensor } from './tensor.js'

export interface RunModelInit extends TensorEngineInit {
  /** Path to an .onnx file. */
  path: string
  /** Values per input name; inputs left out get seeded random values (free dimensions = 1). */
  inputs?: Record<string, NestedArray>
  /** Seed for generated inputs; default 1. */
  seed?: number
}

export interface RunModelResult {
  engine: string
  inputs: Array<ModelValue & { generated: boolean }>
  outputs: Array<{ name: string, shape: number[], dtype: string, values: NestedArray }>
}

/** Loads an ONNX model, runs it once on the given (or generated) inputs, returns its outputs. */
export async function runModelFile (init: RunModelInit): Promise<RunModelResult> {
  const engine = await createTensorEngine(init)
  try {
    const model = await loadModel(engine, init.path, init)
    try {
      return await engine.tidy(async () => {
        const feeds: Record<string, Tensor> = {}
        const given = init.inputs ?? {}
        for (const input of model.inputs) {
          const value = given[input.name]
          if (value !== undefined) {
            feeds[input.name] = engine.fromArray(value, undefined, input.dtype === 'int32' ? 'int32' : 'float32')
          } else if (input.dtype === 'float32') {
            const shape = input.shape.map((d) => typeof d === 'number' && d > 0 ? d : 1)
            feeds[input.name] = engine.randn(shape, { seed: init.seed ?? 1 })
          } else {
            throw new TensorShapeError(`Input ${describeValue(input)} cannot be generated; give it with --input ${input.name}=JSON.`)
          }
        }
        for (const name of Object.keys(given)) {
          if (feeds[name] === undefined) feeds[name] = engine.fromArray(given[name]) // model.run names the mistake
        }
        const out = await model.run(feeds, init)
        const outputs = await Promise.all(Object.entries(out).map(async ([name, t]) =>
          ({ name, shape: [...t.shape], dtype: t.dtype, values: await t.toArray() })))
        return {
          engine: engine.name,
          inputs: model.inputs.map((i) => ({ ...i, generated: given[i.name] === undefined })),
          outputs
        }
      })
    } finally {
      await model.close()
    }
  } finally {
    await engine.close()
  }
}
