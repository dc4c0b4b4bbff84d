import { execa } from 'execa'
import { detectHardware } from '../src/runtime/hal/index.js'
import { benchTensorEngines } from '../src/runtime/tensor/index.js'
import { print, runAnchor, type Figure } from './anchors.js'

/**
 * Tensor engine vs numpy/OpenBLAS (anchor 1, ../shared/anchors/bench/tensor.sh, which needs
 * Debian's python3-numpy). Target: 1024² f32 matmul ≥ 0.5× numpy with the best engine.
 * The ratio uses numpy's best 1024 figure (1 or 2 threads), so it is not flattered.
 */
export async function benchTensor (): Promise<void> {
  const report = await benchTensorEngines({ sizes: [256, 512, 1024] })
  for (const r of report.results) print(`tensor_matmul_${r.engine.replace('-', '_')}_${r.size}`, r.gflops, 'GFLOP/s')
  for (const s of report.skipped) print(`tensor_matmul_${s.engine.replace('-', '_')}`, `skipped (${s.reason})`, 'info')
  print('tensor_default_engine', report.defaultEngine, 'info')
  print('tensor_matmul_best_1024', report.best.gflops, 'GFLOP/s')

  const numpy = await numpyAnchor()
  if (typeof numpy === 'string') {
    print('anchor_numpy_matmul_f32_1024', `missing (${numpy})`, 'info')
    return
  }
  for (const f of numpy) print(`anchor_numpy_${f.name}`, f.value, f.unit)
  const strongest = Math.max(...numpy.map((f) => f.value))
  print('ratio_tensor_matmul_1024_vs_numpy', report.best.gflops / strongest, `x (target >= 0.5; ${report.best.engine} vs numpy's best)`)
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
