// Engine-independent behaviour of the Tensor API: seeds, scopes, disposal and shape errors.
import t from 'tap'
import { createTensorEngine, TensorDisposedError, TensorShapeError, parseEngineName } from '../../../src/runtime/tensor/index.js'
import { fakeX86Profile } from '../../helpers/hardware.js'

const engine = await createTensorEngine({ engine: 'tfjs-cpu', hardware: fakeX86Profile() })
t.teardown(() => engine.close())

t.test('randn is reproducible with a seed and differs across seeds', async (t) => engine.tidy(async () => {
  const a = await engine.randn([4], { seed: 7 }).data()
  const b = await engine.randn([4], { seed: 7 }).data()
  const c = await engine.randn([4], { seed: 8 }).data()
  t.same(Array.from(a), Array.from(b))
  t.not(Array.from(a).join(), Array.from(c).join())
  const big = Array.from(await engine.randn([10000], { seed: 1, mean: 3, stddev: 2 }).data())
  const mean = big.reduce((s, v) => s + v, 0) / big.length
  const sd = Math.sqrt(big.reduce((s, v) => s + (v - mean) ** 2, 0) / big.length)
  t.ok(Math.abs(mean - 3) < 0.1 && Math.abs(sd - 2) < 0.1, `mean ${mean.toFixed(3)}, stddev ${sd.toFixed(3)}`)
}))

t.test('tidy keeps returned tensors, frees the rest, and a loop does not leak', async (t) => {
  const before = engine.memory().tensors
  for (let i = 0; i < 50; i++) {
    const kept = await engine.tidy(async () => {
      const x = engine.randn([8, 8], { seed: i })
      const y = await (await x.matmul(x)).relu()
      return { y }
    })
    kept.y.dispose()
  }
  t.equal(engine.memory().tensors, before, 'no tensor left behind after 50 iterations')
  const nested = await engine.tidy(async () => {
    const inner = await engine.tidy(async () => engine.ones([2]))
    engine.zeros([3])
    return inner
  })
  t.notOk(nested.isDisposed, 'a tensor returned through two scopes survives')
  t.equal(engine.memory().tensors, before + 1)
  nested.dispose()
})

t.test('a disposed tensor says so', async (t) => {
  const before = engine.memory().tensors
  const x = engine.ones([2])
  x.dispose()
  x.dispose() // twice is fine
  await t.rejects(x.data(), TensorDisposedError)
  {
    using y = engine.ones([3])
    t.equal(y.size, 3)
  }
  t.equal(engine.memory().tensors, before, '`using` disposed at block end')
})

t.test('shape errors name the shapes', async (t) => {
  const a = engine.ones([2, 3]); const b = engine.ones([2, 3])
  await t.rejects(a.matmul(b), { name: 'TensorShapeError', code: 'E_TENSOR_SHAPE', message: /\[2, 3\] by \[2, 3\]/ })
  await t.rejects(a.add(engine.ones([4])), TensorShapeError)
  await t.rejects(a.reshape([4, 2]), /cannot reshape \[2, 3\]/)
  await t.rejects(a.transpose([0, 0]), /not a permutation/)
  await t.rejects(a.sum(5), /axis 5 is out of range/)
  await t.rejects(engine.fromArray([1], undefined, 'int32').relu(), /needs float32/)
  t.throws(() => engine.fromArray([[1, 2], [3]]), /ragged/)
  t.throws(() => engine.fromArray([1, 2, 3], [2, 2]), /do not fill/)
  t.throws(() => engine.zeros([-1]), /Invalid shape/)
  await t.rejects(engine.ones([1, 4, 4, 2]).conv2d(engine.ones([3, 3, 3, 1])), /2 channels but the filter expects 3/)
})

t.test('an unknown engine name lists the valid ones', async (t) => {
  t.throws(() => parseEngineName('cuda'), { code: 'E_INVALID_ARG', exitCode: 2, message: /Valid engines: tfjs-node, onnx, tfjs-wasm, tfjs-cpu/ })
})
