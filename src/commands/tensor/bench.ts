import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { engineFlag, engineOf, positiveInt } from '../../cli/flags.js'
import { table, type Column } from '../../cli/table.js'
import { benchTensorEngines, type MatmulBenchResult, type TensorBenchReport } from '../../runtime/tensor/index.js'

export default class TensorBench extends BaseCommand {
  static override summary = 'Measure matmul GFLOP/s for each tensor engine.'
  static override description = 'Multiplies two float32 N×N matrices on each usable engine (or just --engine) and reports GFLOP/s = 2N³/t, the median of 5 timed runs after 2 warm-up runs, read-back included. Each result is checked against a float64 reference. onnx runs on as many threads as a node gives it (every CPU this process may use; --threads to change). Progress goes to stderr.'
  static override examples = [
    { command: '<%= config.bin %> <%= command.id %>', description: 'Every usable engine at 256, 512 and 1024' },
    { command: '<%= config.bin %> <%= command.id %> --size 1024 --json', description: 'One size, as JSON' },
    { command: '<%= config.bin %> <%= command.id %> --engine tfjs-wasm --size 512 --size 1024', description: 'One engine, two sizes' },
    { command: '<%= config.bin %> <%= command.id %> --engine onnx --size 1024 --threads 1', description: 'onnx on one thread, to see what its other threads add' }
  ]

  static override flags = {
    size: Flags.string({ char: 's', description: 'Matrix size N (repeatable). Default: 256, 512, 1024.', multiple: true, helpValue: 'N' }),
    engine: engineFlag(),
    repeats: Flags.string({ description: 'Timed runs per size (median is reported).', default: '5', helpValue: 'N' }),
    threads: Flags.string({ description: 'Threads for onnx. Default: the CPUs this process may use, as agents get.', helpValue: 'N' })
  }

  async run (): Promise<TensorBenchReport> {
    const { flags } = await this.parse(TensorBench)
    const sizes = (flags.size ?? ['256', '512', '1024']).map((s) => positiveInt('size', s, 8192))
    const repeats = positiveInt('repeats', flags.repeats, 1000)
    const report = await benchTensorEngines({
      sizes,
      repeats,
      engine: engineOf(flags.engine),
      threads: flags.threads === undefined ? undefined : positiveInt('threads', flags.threads, 1024),
      signal: this.signal,
      onProgress: (p) => { process.stderr.write(`\r${p.engine} ${p.size}×${p.size}: run ${p.run}/${p.of}   `) }
    })
    process.stderr.write('\r\x1b[K')
    for (const s of report.skipped) this.log(`${s.engine} skipped: ${s.reason}`)
    if (!this.jsonEnabled()) this.log(await table(resultColumns, report.results.map(resultRow)))
    const onThreads = report.best.engine === 'onnx' ? `, ${report.threads} thread${report.threads === 1 ? '' : 's'}` : ''
    this.log(`Best: ${report.best.engine} at ${report.best.gflops.toFixed(1)} GFLOP/s (N=${report.best.size}${onThreads}); the default engine here is ${report.defaultEngine}.`)
    return report
  }
}

type ResultRow = Record<'engine' | 'size' | 'speed' | 'median', string>
const resultColumns: Array<Column<keyof ResultRow>> = [
  { key: 'engine', name: 'ENGINE' },
  { key: 'size', name: 'SIZE', align: 'right' },
  { key: 'speed', name: 'SPEED', align: 'right' },
  { key: 'median', name: 'MEDIAN', align: 'right' }
]

function resultRow (r: MatmulBenchResult): ResultRow {
  return { engine: r.engine, size: `${r.size}²`, speed: `${r.gflops.toFixed(1)} GFLOP/s`, median: `${r.medianMs.toFixed(2)} ms` }
}
