// onnx runs on every CPU the process may use, in any process: the CLI's, a node's for its
// agents, a test's. What its threads add in speed is measured by `npm run bench -- tensor`
// (ratio_tensor_onnx_1024_threads_vs_1); timings do not belong in npm test on shared machines.
// These check what decides it: the pool onnxruntime starts, and that its idle workers sleep.
import { readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { detectHardware } from '../../../src/runtime/hal/index.js'
import { createTensorEngine, type TensorEngine } from '../../../src/runtime/tensor/index.js'

const hardware = await detectHardware()
const cpus = Math.floor(hardware.limits.cpus ?? os.availableParallelism())
const why = process.platform !== 'linux'
  ? 'threads are read from /proc/self/task'
  : !['x64', 'arm64'].includes(process.arch) ? 'onnxruntime-node has no build here'
      : cpus < 2 ? 'this process may use one CPU' : false

const threadIds = (): Set<string> => new Set(readdirSync('/proc/self/task'))
/** Nanoseconds a thread of this process has run on a CPU. */
const cpuNs = (id: string): number => Number(readFileSync(`/proc/self/task/${id}/schedstat`, 'utf8').split(' ')[0])

/** Runs one matmul, the engine's first op, and returns the threads that started meanwhile. */
async function firstMatmul (engine: TensorEngine): Promise<string[]> {
  const before = threadIds()
  await engine.tidy(async () => {
    const a = engine.randn([256, 256], { seed: 1 })
    await (await a.matmul(a)).data()
  })
  return [...threadIds()].filter((id) => !before.has(id))
}

t.test('onnx asks for every CPU and onnxruntime starts a worker for each beyond the caller', { skip: why }, async (t) => {
  // Created first: an engine loads onnxruntime (and its first session) while being chosen.
  const engine = await createTensorEngine({ engine: 'onnx', hardware })
  t.teardown(() => engine.close())
  const single = await createTensorEngine({ engine: 'onnx', hardware, threads: 1 })
  t.teardown(() => single.close())

  t.equal(engine.threads, cpus, 'the default is what a node gives its agents: the CPUs this process may use')
  t.match(engine.description, `${cpus} threads`)
  t.equal((await firstMatmul(engine)).length, cpus - 1, 'the op\'s session pool: the calling thread plus one worker per other CPU')
  t.equal((await firstMatmul(single)).length, 0, 'with threads: 1 the calling thread works alone')
})

t.test('an idle onnx worker sleeps instead of spinning on a CPU that agents need', { skip: why }, async (t) => {
  const engine = await createTensorEngine({ engine: 'onnx', hardware })
  t.teardown(() => engine.close())
  const workers = await firstMatmul(engine)
  t.equal(workers.length, cpus - 1)
  await engine.tidy(async () => {
    const a = engine.randn([512, 512], { seed: 2 })
    await (await a.matmul(a)).data() // the workers take part, then have nothing to do
  })
  const start = workers.map(cpuNs)
  // Not a wait for something to happen: the span in which an idle pool should use no CPU.
  await sleep(100)
  const spentMs = workers.map((id, i) => (cpuNs(id) - start[i]) / 1e6)
  // onnxruntime's own default spins 2^20 pauses: 20-35 ms of this span on AMD Zen, all of it with TPAUSE.
  t.ok(Math.max(...spentMs) < 5, `the workers used ${spentMs.map((ms) => ms.toFixed(2)).join(', ')} ms of CPU in the 100 ms after the op`)
})
