// Every engine that loads here computes every op like the float64 reference, on the same
// seeded inputs. This is what lets `mielin` switch engines from the hardware profile.
import t, { type Test } from 'tap'
import { createTensorEngine, ENGINE_NAMES, selectEngine, type Tensor, type TensorEngine } from '../../../src/runtime/tensor/index.js'
import { fakeX86Profile } from '../../helpers/hardware.js'
import * as ref from '../../helpers/reference.js'

const hardware = fakeX86Profile()
const choice = await selectEngine({ hardware, probeAll: true })
const usable = choice.candidates.filter((c) => c.usable).map((c) => c.name)

t.ok(usable.includes('tfjs-cpu'), 'the plain-JS engine always loads')
t.ok(usable.includes('tfjs-wasm'), 'the WebAssembly engine loads in Node 22')
if (process.arch === 'x64' || process.arch === 'arm64') t.ok(usable.includes('onnx'), 'onnxruntime-node loads on x64/arm64')

async function asRef (x: Tensor): Promise<ref.Ref> { return { data: Array.from(await x.data()), shape: [...x.shape] } }

function close (t: Test, got: ref.Ref, want: ref.Ref, tol: number, what: string): void {
  t.same(got.shape, want.shape, `${what}: shape`)
  const worst = got.data.reduce((m, v, i) => Math.max(m, Math.abs(v - want.data[i]) / (1 + Math.abs(want.data[i]))), 0)
  t.ok(worst <= tol, `${what}: max relative error ${worst.toExponential(2)} ≤ ${tol}`)
}

for (const name of ENGINE_NAMES.filter((n) => usable.includes(n))) {
  t.test(name, async (t) => {
    const engine: TensorEngine = await createTensorEngine({ engine: name, hardware })
    t.teardown(() => engine.close())
    t.equal(engine.name, name)
    await engine.tidy(async () => {
      const a = engine.randn([5, 7], { seed: 1 })
      const b = engine.randn([7, 3], { seed: 2 })
      const c = engine.randn([5, 7], { seed: 3 })
      const row = engine.randn([7], { seed: 4 })
      const A = await asRef(a); const B = await asRef(b); const C = await asRef(c); const R = await asRef(row)
      close(t, await asRef(await a.matmul(b)), ref.refMatmul(A, B), 1e-5, 'matmul')
      close(t, await asRef(await a.add(row)), ref.refBroadcast(A, R, (x, y) => x + y), 1e-6, 'add (broadcast)')
      close(t, await asRef(await a.sub(c)), ref.refBroadcast(A, C, (x, y) => x - y), 1e-6, 'sub')
      close(t, await asRef(await a.mul(c)), ref.refBroadcast(A, C, (x, y) => x * y), 1e-6, 'mul')
      close(t, await asRef(await a.div(2)), ref.refMap(A, (x) => x / 2), 1e-6, 'div by scalar')
      close(t, await asRef(await a.relu()), ref.refMap(A, (x) => Math.max(0, x)), 0, 'relu')
      close(t, await asRef(await a.gelu()), ref.refMap(A, (x) => 0.5 * x * (1 + ref.erf(x / Math.SQRT2))), 1e-5, 'gelu')
      close(t, await asRef(await a.softmax()), ref.refSoftmaxLast(A), 1e-6, 'softmax')
      close(t, await asRef(await a.softmax(0)), ref.refTranspose(ref.refSoftmaxLast(ref.refTranspose(A, [1, 0])), [1, 0]), 1e-6, 'softmax axis 0')
      close(t, await asRef(await a.sum()), ref.refReduce(A, [], false), 1e-5, 'sum all')
      close(t, await asRef(await a.sum(1)), ref.refReduce(A, [1], false), 1e-5, 'sum axis 1')
      close(t, await asRef(await a.mean(0)), ref.refReduce(A, [0], true), 1e-5, 'mean axis 0')
      t.same((await a.mean(0, true)).shape, [1, 7], 'mean keepDims')
      close(t, await asRef(await a.transpose()), ref.refTranspose(A, [1, 0]), 0, 'transpose')
      close(t, await asRef(await a.reshape([7, -1])), { data: A.data, shape: [7, 5] }, 0, 'reshape with -1')

      const x = engine.randn([2, 6, 5, 3], { seed: 5 })
      const w = engine.randn([3, 3, 3, 4], { seed: 6 })
      const X = await asRef(x); const W = await asRef(w)
      close(t, await asRef(await x.conv2d(w)), ref.refConv2d(X, W, 1, 'valid'), 1e-5, 'conv2d valid')
      close(t, await asRef(await x.conv2d(w, { strides: 2, padding: 'same' })), ref.refConv2d(X, W, 2, 'same'), 1e-5, 'conv2d same stride 2')

      const i = engine.fromArray([[1, 2], [3, 4]], undefined, 'int32')
      t.equal(i.dtype, 'int32')
      t.same(await (await i.add(i)).toArray(), [[2, 4], [6, 8]], 'int32 add')
      t.same(await engine.zeros([2]).toArray(), [0, 0], 'zeros')
      t.same(await engine.ones([1, 2]).toArray(), [[1, 1]], 'ones')
    })
    t.equal(engine.memory().tensors, 0, 'tidy disposed every tensor it made')
  })
}
