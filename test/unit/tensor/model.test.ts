// ONNX inference: the bundled tiny model gives the reference answer on every engine, and
// files that are not models get clear errors.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { createTensorEngine, loadModel, runModelFile } from '../../../src/runtime/tensor/index.js'
import { buildTinyMlp, referenceForward } from '../../../scripts/tiny-mlp.js'
import { fakeX86Profile } from '../../helpers/hardware.js'

const hardware = fakeX86Profile()
const shipped = new URL('../../../templates/models/tiny-mlp.onnx', import.meta.url)
const dir = await mkdtemp(path.join(os.tmpdir(), 'mielin-model-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))

t.test('the shipped tiny model is the one the builder makes', async (t) => {
  t.same(new Uint8Array(await readFile(shipped)), buildTinyMlp(), 'run `npm run fixtures:model` if this fails')
})

for (const engineName of ['onnx', 'tfjs-wasm'] as const) {
  t.test(`inference with tensors from ${engineName}`, async (t) => {
    const engine = await createTensorEngine({ engine: engineName, hardware })
    t.teardown(() => engine.close())
    const model = await loadModel(engine, buildTinyMlp())
    t.teardown(() => model.close())
    t.same(model.inputs, [{ name: 'x', shape: ['N', 4], dtype: 'float32' }])
    t.same(model.outputs.map((o) => o.name), ['y'])
    const rows = [[1, 2, 3, 4], [-1, 0.5, 0, 2]]
    const { y } = await model.run({ x: engine.fromArray(rows) })
    t.same(y.shape, [2, 3])
    const got = await y.toArray() as number[][]
    const want = referenceForward(rows)
    got.flat().forEach((v, i) => t.ok(Math.abs(v - want.flat()[i]) < 1e-5, `y[${i}] = ${v} ≈ ${want.flat()[i]}`))
    await t.rejects(model.run({}), { code: 'E_TENSOR_SHAPE', message: /needs input "x" \(x: float32\[N, 4\]\)/ })
    await t.rejects(model.run({ x: engine.ones([2, 5]) }), /must be shaped \[N, 4\], got \[2, 5\]/)
    await t.rejects(model.run({ x: engine.ones([1, 4]), z: engine.ones([1]) }), /no input named "z"/)
  })
}

t.test('files that are not models', async (t) => {
  const engine = await createTensorEngine({ engine: 'tfjs-cpu', hardware })
  t.teardown(() => engine.close())
  const text = path.join(dir, 'notes.onnx')
  await writeFile(text, 'this is not a model\n')
  await t.rejects(loadModel(engine, text), { code: 'E_MODEL_INVALID', exitCode: 3, message: /notes\.onnx is not a valid ONNX model/ })
  const truncated = path.join(dir, 'truncated.onnx')
  await writeFile(truncated, buildTinyMlp().slice(0, 40))
  await t.rejects(loadModel(engine, truncated), { code: 'E_MODEL_INVALID' })
  await t.rejects(loadModel(engine, path.join(dir, 'missing.onnx')), { code: 'E_NOT_FOUND', exitCode: 3 })
  await t.rejects(loadModel(engine, dir), { code: 'E_NOT_FOUND' })
})

t.test('runModelFile generates inputs for free dimensions', async (t) => {
  const result = await runModelFile({ path: new URL(shipped).pathname, hardware, seed: 3 })
  t.same(result.inputs[0], { name: 'x', shape: ['N', 4], dtype: 'float32', generated: true })
  t.same(result.outputs[0].shape, [1, 3])
  const sum = (result.outputs[0].values as number[][])[0].reduce((a, b) => a + b, 0)
  t.ok(Math.abs(sum - 1) < 1e-5, 'softmax output sums to 1')
})
