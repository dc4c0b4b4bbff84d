import { throwIfAborted } from '../errors.js'
import type { TensorEngine } from './engine.js'
import { randomNormal } from './random.js'

/**
 * Matmul throughput, measured the way a program sees it: float32 n×n · n×n, the call and
 * the read-back of the result, GFLOP/s = 2n³ / median time of `repeats` runs after
 * `warmup` runs (as the numpy anchor in ../shared/anchors measures). Each result is
 * checked against a float64 dot product, so a wrong engine cannot post a good number.
 */

export interface MatmulBenchResult {
  engine: string
  size: number
  gflops: number
  medianMs: number
  runs: number
}

export interface MatmulBenchOptions {
  /** Timed runs; default 5. */
  repeats?: number
  /** Untimed runs first; default 2. */
  warmup?: number
  signal?: AbortSignal
  /** Called after every run, for progress bars. */
  onProgress?: (event: { engine: string, size: number, run: number, of: number }) => void
}

export async function benchMatmul (engine: TensorEngine, size: number, options: MatmulBenchOptions = {}): Promise<MatmulBenchResult> {
  const repeats = options.repeats ?? 5
  const warmup = options.warmup ?? 2
  const a = randomNormal(size * size, 1234 + size)
  const b = randomNormal(size * size, 9876 + size)
  return await engine.tidy(async () => {
    const ta = engine.fromArray(a, [size, size])
    const tb = engine.fromArray(b, [size, size])
    const times: number[] = []
    for (let run = 0; run < warmup + repeats; run++) {
      // Synchronous engines (tfjs-cpu) resolve in microtasks only; yield to the event loop so
      // a Ctrl-C (a signal event) can be seen between runs.
      await new Promise((resolve) => setImmediate(resolve))
      throwIfAborted(options.signal)
      const t0 = process.hrtime.bigint()
      const c = await ta.matmul(tb)
      const data = await c.data()
      const ns = Number(process.hrtime.bigint() - t0)
      c.dispose()
      if (run === 0) checkMatmul(a, b, data, size, engine.name)
      if (run >= warmup) times.push(ns)
      options.onProgress?.({ engine: engine.name, size, run: run + 1, of: warmup + repeats })
    }
    times.sort((x, y) => x - y)
    const median = times[Math.floor(times.length / 2)]
    return { engine: engine.name, size, gflops: (2 * size ** 3) / median, medianMs: median / 1e6, runs: repeats }
  })
}

function checkMatmul (a: Float32Array, b: Float32Array, c: ArrayLike<number>, n: number, engine: string): void {
  for (const [i, j] of [[0, 0], [n - 1, n - 1], [n >> 1, Math.min(7, n - 1)], [Math.min(3, n - 1), n >> 2]]) {
    let s = 0
    for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j]
    if (!(Math.abs(c[i * n + j] - s) <= 1e-3 * Math.sqrt(n) + 1e-4 * Math.abs(s))) {
      throw new Error(`${engine} computed a wrong matmul: C[${i},${j}] = ${c[i * n + j]}, expected ${s}`)
    }
  }
}
