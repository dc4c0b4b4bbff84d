import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { detectHardware } from '../src/runtime/hal/index.js'
import type { TensorBenchReport } from '../src/runtime/tensor/index.js'
import { print, runAnchor, type Figure } from './anchors.js'
import { percentile } from './stats.js'

const BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const LAYER = fileURLToPath(new URL('tensor-layer.ts', import.meta.url))

/**
 * Tensor engine vs numpy/OpenBLAS (anchor 1, ../shared/anchors/bench/tensor.sh, which needs
 * Debian's python3-numpy). Target: 1024² f32 matmul ≥ 0.5× numpy with the best engine.
 * The ratio uses numpy's best 1024 figure (1 or 2 threads), so it is not flattered.
 *
 * Every figure comes from a process of its own that loads what a user's does: `mielin tensor
 * bench` as typed, and bench/tensor-layer.ts for an agent's calls. This process has loaded
 * the other sections' libp2p, LevelDB and kernel, which must not count for or against it.
 */
export async function benchTensor (): Promise<void> {
  const report = await cliBench(['--size', '256', '--size', '512', '--size', '1024'])
  for (const r of report.results) print(`tensor_matmul_${r.engine.replace('-', '_')}_${r.size}`, r.gflops, 'GFLOP/s')
  for (const s of report.skipped) print(`tensor_matmul_${s.engine.replace('-', '_')}`, `skipped (${s.reason})`, 'info')
  print('tensor_default_engine', report.defaultEngine, 'info')
  print('tensor_onnx_threads', String(report.threads), 'info')
  print('tensor_matmul_best_1024', report.best.gflops, 'GFLOP/s')
  if (report.results.some((r) => r.engine === 'onnx')) {
    await onnxThreads(report.threads)
    const layer = await execa(process.execPath, ['--import', 'tsx', LAYER, '1024'])
    process.stdout.write(`${layer.stdout}\n`)
  }

  const numpy = await numpyAnchor()
  if (typeof numpy === 'string') {
    print('anchor_numpy_matmul_f32_1024', `missing (${numpy})`, 'info')
    return
  }
  for (const f of numpy) print(`anchor_numpy_${f.name}`, f.value, f.unit)
  const strongest = Math.max(...numpy.map((f) => f.value))
  print('ratio_tensor_matmul_1024_vs_numpy', report.best.gflops / strongest, `x (target >= 0.5; ${report.best.engine} vs numpy's best)`)
}

/** `mielin tensor bench ARGS --json`, run as a user runs it. */
async function cliBench (args: string[]): Promise<TensorBenchReport> {
  const r = await execa(process.execPath, [BIN, 'tensor', 'bench', ...args, '--json'], { reject: false })
  if (r.exitCode !== 0) throw new Error(`mielin tensor bench ${args.join(' ')} failed (exit ${r.exitCode}): ${r.stderr}`)
  return JSON.parse(r.stdout) as TensorBenchReport
}

/**
 * What onnx's other threads add in a plain CLI process: 1024² on its default threads against
 * --threads 1, in turn, three times (pairs, so a machine that slows down between them does
 * not decide the ratio). The probe beside it says whether both CPUs were ours meanwhile.
 */
async function onnxThreads (threads: number): Promise<void> {
  if (threads < 2) {
    print('ratio_tensor_onnx_1024_threads_vs_1', `skipped (this process may use ${threads} CPU)`, 'info')
    return
  }
  const many: number[] = []
  const one: number[] = []
  for (let pair = 0; pair < 3; pair++) {
    many.push((await cliBench(['--engine', 'onnx', '--size', '1024'])).best.gflops)
    one.push((await cliBench(['--engine', 'onnx', '--size', '1024', '--threads', '1'])).best.gflops)
  }
  print('tensor_matmul_onnx_1024_cli', percentile(many, 0.5), `GFLOP/s (median of 3 CLI runs on ${threads} threads)`)
  print('tensor_matmul_onnx_1024_cli_1_thread', percentile(one, 0.5), 'GFLOP/s (the same with --threads 1)')
  print('ratio_tensor_onnx_1024_threads_vs_1', percentile(many.map((m, i) => m / one[i]), 0.5), `x (target >= 1.5 on 2 CPUs: onnx uses its ${threads} threads in a plain CLI process)`)
  const probe = await runAnchor('coreprobe.mjs', ['tensor'], { runner: process.execPath })
  if ('missing' in probe) print('machine_probe_tensor', `missing (${probe.missing})`, 'info')
  else for (const f of probe.figures) print(f.name, f.value, f.unit)
}

/**
 * numpy's 1024² figures from the anchor script. OpenBLAS 0.3.21 does not know every newer
 * CPU model and can fall back to its generic "Prescott" (SSE3) kernel on an AVX-512 machine,
 * which makes numpy 5-10× slower than it can be. Then the anchor is run again with the
 * kernel named (OPENBLAS_CORETYPE), and both are reported; the ratio takes the stronger.
 */
async function numpyAnchor (): Promise<Figure[] | string> {
  const hasNumpy = await execa('/usr/bin/python3', ['-c', 'import numpy'], { reject: false })
  if (hasNumpy.exitCode !== 0) return 'install Debian python3-numpy'
  const anchor = await runAnchor('tensor.sh')
  if ('missing' in anchor) return anchor.missing
  const figures = anchor.figures.filter((f) => /^matmul_f32_1024_\dt$/.test(f.name))
  const kernel = /blas_kernel_1t: \S+?\/(\w+)\//.exec(anchor.text)?.[1]
  print('anchor_numpy_blas_kernel', kernel ?? 'unknown', 'info')
  const hw = await detectHardware()
  const coretype = hw.simd.includes('avx512f') ? 'SkylakeX' : hw.simd.includes('avx2') ? 'Haswell' : undefined
  if (kernel === 'Prescott' && coretype !== undefined) {
    for (const t of ['1', '2']) {
      const tuned = await runAnchor('tensor.py', [t], {
        runner: '/usr/bin/python3',
        env: { OPENBLAS_CORETYPE: coretype, OPENBLAS_NUM_THREADS: t, OMP_NUM_THREADS: t }
      })
      if ('missing' in tuned) continue
      figures.push(...tuned.figures.filter((f) => f.name === `matmul_f32_1024_${t}t`).map((f) => ({ ...f, name: `${f.name}_${coretype}` })))
    }
  }
  return figures
}
