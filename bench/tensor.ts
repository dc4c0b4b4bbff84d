import { execa } from 'execa'
import { benchTensorEngines } from '../src/runtime/tensor/index.js'
import { print, runAnchor } from './anchors.js'

/**
 * Tensor engine vs numpy/OpenBLAS (anchor 1, ../shared/anchors/bench/tensor.sh, which needs
 * Debian's python3-numpy). Target: 1024² f32 matmul ≥ 0.5× numpy with the best engine.
 * numpy runs at 1 and 2 threads; the ratio uses its better figure, so it is not flattered.
 */
export async function benchTensor (): Promise<void> {
  const report = await benchTensorEngines({ sizes: [256, 512, 1024] })
  for (const r of report.results) print(`tensor_matmul_${r.engine.replace('-', '_')}_${r.size}`, r.gflops, 'GFLOP/s')
  for (const s of report.skipped) print(`tensor_matmul_${s.engine.replace('-', '_')}`, `skipped (${s.reason})`, 'info')
  print('tensor_default_engine', report.defaultEngine, 'info')
  const best1024 = report.best
  print('tensor_matmul_best_1024', best1024.gflops, 'GFLOP/s')

  const hasNumpy = await execa('/usr/bin/python3', ['-c', 'import numpy'], { reject: false })
  if (hasNumpy.exitCode !== 0) {
    print('anchor_numpy_matmul_f32_1024', 'missing (install Debian python3-numpy)', 'info')
    return
  }
  const anchor = await runAnchor('tensor.sh')
  if ('missing' in anchor) {
    print('anchor_numpy_matmul_f32_1024', `missing (${anchor.missing})`, 'info')
    return
  }
  const numpy = anchor.figures.filter((f) => /^matmul_f32_1024_\dt$/.test(f.name))
  for (const f of numpy) print(`anchor_numpy_${f.name}`, f.value, f.unit)
  const strongest = Math.max(...numpy.map((f) => f.value))
  print('ratio_tensor_matmul_1024_vs_numpy', best1024.gflops / strongest, `x (target >= 0.5; ${best1024.engine} vs numpy's best)`)
}
