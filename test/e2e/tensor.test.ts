// `mielin tensor …` exactly as a user types it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { jsonError, mielin } from '../helpers/cli.js'

const nativeHere = (process.arch === 'x64' || process.arch === 'arm64') && ['linux', 'darwin', 'win32'].includes(process.platform)

t.test('tensor info names the engine and why', async (t) => {
  const r = await mielin(['tensor', 'info', '--json'])
  t.equal(r.exitCode, 0, r.stderr)
  const info = JSON.parse(r.stdout) as { chosen: string, reason: string, candidates: Array<{ name: string }> }
  if (nativeHere) t.equal(info.chosen, 'onnx', 'onnxruntime-node is the best engine that installs here')
  t.match(info.reason, /\S/)
  t.same(info.candidates.map((c) => c.name), ['tfjs-node', 'onnx', 'tfjs-wasm', 'tfjs-cpu'])
  const human = await mielin(['tensor', 'info'])
  t.match(human.stdout, new RegExp(`Engine: ${info.chosen}`))
})

t.test('tensor bench reports GFLOP/s per engine', async (t) => {
  const r = await mielin(['tensor', 'bench', '--size', '64', '--repeats', '2', '--json'])
  t.equal(r.exitCode, 0, r.stderr)
  const report = JSON.parse(r.stdout) as { results: Array<{ engine: string, gflops: number, size: number }>, best: { size: number } }
  t.ok(report.results.length >= 2, 'at least tfjs-wasm and tfjs-cpu ran')
  for (const res of report.results) t.ok(res.gflops > 0 && res.size === 64, `${res.engine}: ${res.gflops.toFixed(2)} GFLOP/s`)
  t.equal(report.best.size, 64)
  t.match(r.stderr, /run \d\/\d/, 'progress went to stderr')
  const one = await mielin(['tensor', 'bench', '--size', '32', '--engine', 'tfjs-cpu', '--repeats', '1'])
  t.equal(one.exitCode, 0, one.stderr)
  t.match(one.stdout, /tfjs-cpu\s+32²\s+[\d.]+ GFLOP\/s/)
})

t.test('tensor bench gives onnx the CPUs a node gives its agents, and --threads changes it', { skip: !nativeHere && 'onnxruntime-node has no build here' }, async (t) => {
  const hw = JSON.parse((await mielin(['hw', '--json'])).stdout) as { limits: { cpus: number | null } }
  const cpus = Math.floor(hw.limits.cpus ?? os.availableParallelism())
  const args = ['tensor', 'bench', '--engine', 'onnx', '--size', '64', '--repeats', '1']
  const all = await mielin([...args, '--json'])
  t.equal(all.exitCode, 0, all.stderr)
  t.equal((JSON.parse(all.stdout) as { threads: number }).threads, cpus, 'every CPU this process may use')
  const one = await mielin([...args, '--threads', '1'])
  t.equal(one.exitCode, 0, one.stderr)
  t.match(one.stdout, /Best: onnx at [\d.]+ GFLOP\/s \(N=64, 1 thread\)/)
  const bad = await mielin([...args, '--threads', '0'])
  t.equal(bad.exitCode, 2)
  t.match(bad.stderr, /--threads must be a whole number from 1 to 1024, got "0"[\s\S]*Try this:/)
})

t.test('bad input gets a clear error and a non-zero exit', async (t) => {
  const neg = await mielin(['tensor', 'bench', '--size', '-3'])
  t.equal(neg.exitCode, 2, 'usage error')
  t.match(neg.stderr, /Code: E_(INVALID_ARG|USAGE)/)

  const eng = await mielin(['tensor', 'bench', '--engine', 'cuda'])
  t.equal(eng.exitCode, 2)
  t.match(eng.stderr, /Unknown engine "cuda"\. Valid engines: tfjs-node, onnx, tfjs-wasm, tfjs-cpu/)

  const engJson = await mielin(['tensor', 'info', '--engine', 'cuda', '--json'])
  t.equal(engJson.exitCode, 2)
  t.equal(jsonError(engJson.stdout).code, 'E_INVALID_ARG', '--json errors are JSON on stdout')

  const flag = await mielin(['tensor', 'bench', '--frobnicate'])
  t.equal(flag.exitCode, 2)
  t.match(flag.stderr, /Code: E_USAGE[\s\S]*Try this: Run "mielin tensor bench --help"/)

  const dir = await mkdtemp(path.join(os.tmpdir(), 'mielin-e2e-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const fake = path.join(dir, 'model.onnx')
  await writeFile(fake, '{"not": "a model"}')
  const bad = await mielin(['tensor', 'run', fake])
  t.equal(bad.exitCode, 3)
  t.match(bad.stderr, /is not a valid ONNX model[\s\S]*Code: E_MODEL_INVALID[\s\S]*Try this:/)
  const missing = await mielin(['tensor', 'run', path.join(dir, 'nope.onnx'), '--json'])
  t.equal(missing.exitCode, 3)
  t.equal(jsonError(missing.stdout).code, 'E_NOT_FOUND')
})

t.test('tensor run executes the bundled model', { skip: !nativeHere && 'onnxruntime-node has no build here' }, async (t) => {
  const r = await mielin(['tensor', 'run', 'templates/models/tiny-mlp.onnx', '--input', 'x=[[1,2,3,4]]', '--json'])
  t.equal(r.exitCode, 0, r.stderr)
  const out = JSON.parse(r.stdout) as { outputs: Array<{ shape: number[], values: number[][] }> }
  t.same(out.outputs[0].shape, [1, 3])
  const sum = out.outputs[0].values[0].reduce((a, b) => a + b, 0)
  t.ok(Math.abs(sum - 1) < 1e-5, 'softmax row sums to 1')
  const human = await mielin(['tensor', 'run', 'templates/models/tiny-mlp.onnx'])
  t.match(human.stdout, /input {2}x: float32\[N, 4\] \(generated\)\noutput y: float32\[1, 3\] = /)
})

t.test('Ctrl-C stops a long benchmark cleanly', async (t) => {
  const { execa } = await import('execa')
  const child = execa(process.execPath, ['bin/run.js', 'tensor', 'bench', '--engine', 'tfjs-cpu', '--size', '768', '--repeats', '50'], { reject: false })
  t.teardown(() => { child.kill('SIGKILL') })
  // Wait for the first progress line, then interrupt as a terminal would.
  await new Promise<void>((resolve) => {
    child.stderr?.on('data', (chunk: Buffer) => { if (/run \d+\/\d+/.test(chunk.toString())) resolve() })
  })
  child.kill('SIGINT')
  const r = await child
  t.equal(r.exitCode, 130, 'exit code 130 after Ctrl-C')
  t.match(String(r.stderr), /Code: E_ABORTED/)
})
