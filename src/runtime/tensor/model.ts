import { readFile } from 'node:fs/promises'
import type * as Ort from 'onnxruntime-node'
import { throwIfAborted } from '../errors.js'
import { loadOnnxRuntime, onnxSessionOptions } from './backends/onnx.js'
import type { TensorEngine } from './engine.js'
import { EngineUnavailableError, ModelInvalidError, ModelNotFoundError, TensorShapeError } from './errors.js'
import type { Tensor } from './tensor.js'
import type { DType } from './types.js'

/**
 * ONNX model inference. Models always run on onnxruntime (the one ONNX runtime we ship);
 * inputs come from, and outputs go back to, whichever engine the caller uses.
 */

export interface ModelValue {
  name: string
  /** Declared dimensions; a string is a symbolic (free) dimension. */
  shape: Array<number | string>
  dtype: string
}

export interface Model {
  readonly inputs: ModelValue[]
  readonly outputs: ModelValue[]
  run: (feeds: Record<string, Tensor>, options?: { signal?: AbortSignal }) => Promise<Record<string, Tensor>>
  close: () => Promise<void>
}

const FIX_MODEL = 'mielin runs ONNX models (.onnx). Export yours with torch.onnx.export, tf2onnx or skl2onnx, or check that the file is complete.'

/** Loads an ONNX model from a path or bytes; its tensors are created in `engine`. */
export async function loadModel (engine: TensorEngine, source: string | Uint8Array, options: { signal?: AbortSignal } = {}): Promise<Model> {
  throwIfAborted(options.signal)
  let bytes: Uint8Array
  if (typeof source === 'string') {
    try {
      bytes = await readFile(source)
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code === 'ENOENT' || code === 'EISDIR') {
        throw new ModelNotFoundError(`No model file at ${source}.`, undefined, { cause: err, suggestions: ['Check the path; it must be an .onnx file.'] })
      }
      throw err
    }
  } else {
    bytes = source
  }
  let ort: Awaited<ReturnType<typeof loadOnnxRuntime>>
  try {
    ort = await loadOnnxRuntime()
  } catch (err) {
    throw new EngineUnavailableError('Model inference needs onnxruntime-node, which did not load here.', undefined, {
      cause: err,
      suggestions: ['Run the install command from the README; onnxruntime-node ships for linux, macOS and Windows on x64 and arm64.']
    })
  }
  let session: Ort.InferenceSession
  try {
    // The engine's threads and spin, not onnxruntime's defaults (a pool per physical core, pinned)
    session = await ort.InferenceSession.create(bytes, onnxSessionOptions(engine.threads))
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 300)
    const name = typeof source === 'string' ? source : 'The given bytes'
    throw new ModelInvalidError(`${name} is not a valid ONNX model: ${why}`, undefined, { cause: err, suggestions: [FIX_MODEL] })
  }
  return new OnnxModel(engine, ort, session)
}

const describe = (m: Ort.InferenceSession.ValueMetadata): ModelValue => m.isTensor
  ? { name: m.name, shape: [...m.shape], dtype: m.type }
  : { name: m.name, shape: [], dtype: 'non-tensor' }

class OnnxModel implements Model {
  readonly inputs: ModelValue[]
  readonly outputs: ModelValue[]

  constructor (private readonly engine: TensorEngine, private readonly ort: typeof Ort, private readonly session: Ort.InferenceSession) {
    this.inputs = session.inputMetadata.map(describe)
    this.outputs = session.outputMetadata.map(describe)
  }

  async run (feeds: Record<string, Tensor>, options: { signal?: AbortSignal } = {}): Promise<Record<string, Tensor>> {
    throwIfAborted(options.signal)
    const ortFeeds: Record<string, Ort.Tensor> = {}
    for (const input of this.inputs) {
      const t = feeds[input.name]
      if (t === undefined) throw new TensorShapeError(`The model needs input "${input.name}" (${describeValue(input)}).`)
      checkDeclaredShape(input, t)
      ortFeeds[input.name] = new this.ort.Tensor(t.dtype, await t.data(), [...t.shape])
    }
    const extra = Object.keys(feeds).filter((k) => !this.inputs.some((i) => i.name === k))
    if (extra.length > 0) {
      throw new TensorShapeError(`The model has no input named ${extra.map((e) => `"${e}"`).join(', ')}. Its inputs: ${this.inputs.map(describeValue).join('; ')}.`)
    }
    const out = await this.session.run(ortFeeds)
    throwIfAborted(options.signal)
    const result: Record<string, Tensor> = {}
    for (const [name, value] of Object.entries(out)) {
      const dtype: DType = value.type === 'float32' ? 'float32' : 'int32'
      const data = value.type === 'int64' ? Int32Array.from(value.data as BigInt64Array, Number) : value.data as Float32Array | Int32Array
      result[name] = this.engine.fromArray(data, value.dims, dtype)
    }
    return result
  }

  async close (): Promise<void> { await this.session.release() }
}

export function describeValue (v: ModelValue): string {
  return `${v.name}: ${v.dtype}[${v.shape.join(', ')}]`
}

function checkDeclaredShape (input: ModelValue, t: Tensor): void {
  const ok = input.shape.length === t.shape.length &&
    input.shape.every((d, i) => typeof d === 'string' || d < 0 || d === t.shape[i])
  if (!ok && input.shape.length > 0) {
    throw new TensorShapeError(`Input "${input.name}" must be shaped [${input.shape.join(', ')}], got [${t.shape.join(', ')}].`)
  }
  if (input.dtype !== t.dtype && input.dtype !== 'non-tensor') {
    throw new TensorShapeError(`Input "${input.name}" must be ${input.dtype}, got ${t.dtype}.`)
  }
}
