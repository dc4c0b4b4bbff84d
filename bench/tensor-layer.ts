// Run by bench/tensor.ts in a process of its own, which loads nothing but the tensor engine:
// onnx built as a node builds it for its agents, doing what an agent's calls do, a layer
// relu(x·W + b) one op at a time. Prints the matmul's GFLOP/s inside the layer (call and
// read-back, median of 9 after 2 warm-ups, as `tensor bench` times a matmul alone).
import { createTensorEngine } from '../src/runtime/tensor/index.js'
import { print } from './anchors.js'

const n = Number(process.argv[2] ?? 1024)
const engine = await createTensorEngine({ engine: 'onnx' })
try {
  const x = engine.randn([n, n], { seed: 1 })
  const w = engine.randn([n, n], { seed: 2 })
  const b = engine.randn([1, n], { seed: 3 })
  const times: number[] = []
  for (let run = 0; run < 11; run++) {
    await engine.tidy(async () => {
      const t0 = process.hrtime.bigint()
      const y = await x.matmul(w)
      await y.data()
      if (run >= 2) times.push(Number(process.hrtime.bigint() - t0))
      await (await (await y.add(b)).relu()).data()
    })
  }
  times.sort((p, q) => p - q)
  print(`tensor_matmul_onnx_${n}_in_layer`, 2 * n ** 3 / times[times.length >> 1], `GFLOP/s (between an add and a relu, as an agent's calls run; ${engine.threads} threads)`)
} finally {
  await engine.close()
}
