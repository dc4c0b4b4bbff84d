import { throwIfAborted } from '../errors.js'
import { benchMatmul, type MatmulBenchOptions, type MatmulBenchResult } from './bench.js'
import { createTensorEngine, selectEngine } from './create.js'
import type { EngineName } from './types.js'

export interface TensorBenchReport {
  /** The engine `createTensorEngine()` picks here. */
  defaultEngine: EngineName
  /** Threads given to onnxruntime (the tfjs engines run on one). */
  threads: number
  results: MatmulBenchResult[]
  skipped: Array<{ engine: EngineName, reason: string }>
  /** The fastest result at the largest size. */
  best: MatmulBenchResult
}

export interface TensorBenchInit extends Pick<MatmulBenchOptions, 'repeats' | 'onProgress' | 'signal'> {
  sizes: number[]
  /** Only this engine; default: every usable one. */
  engine?: EngineName
  /** Threads for onnxruntime; default: the CPUs this process may use, as for every engine. */
  threads?: number
}

/** Benchmarks matmul on every usable engine (or one) at every size. */
export async function benchTensorEngines (init: TensorBenchInit): Promise<TensorBenchReport> {
  const choice = await selectEngine({ engine: init.engine, probeAll: init.engine === undefined, signal: init.signal })
  const engines = choice.candidates.filter((c) => c.usable && (init.engine === undefined || c.name === init.engine))
  const results: MatmulBenchResult[] = []
  let threads = 1
  for (const candidate of engines) {
    const engine = await createTensorEngine({ engine: candidate.name, hardware: choice.hardware, threads: init.threads })
    threads = engine.threads
    try {
      for (const size of init.sizes) {
        throwIfAborted(init.signal)
        results.push(await benchMatmul(engine, size, init))
      }
    } finally {
      await engine.close()
    }
  }
  const largest = Math.max(...init.sizes)
  const best = results.filter((r) => r.size === largest).sort((a, b) => b.gflops - a.gflops)[0]
  const skipped = choice.candidates.filter((c) => !c.usable && init.engine === undefined).map((c) => ({ engine: c.name, reason: c.reason }))
  return { defaultEngine: choice.chosen, threads, results, skipped, best }
}
