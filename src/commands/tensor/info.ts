import { BaseCommand } from '../../cli/base-command.js'
import { engineFlag, engineOf } from '../../cli/flags.js'
import { table, type Column } from '../../cli/table.js'
import { selectEngine, type EngineCandidate } from '../../runtime/tensor/index.js'

export default class TensorInfo extends BaseCommand {
  static override summary = 'Show which tensor engine mielin uses here, and why.'
  static override description = 'Loads every tensor engine mielin knows (tfjs-node, onnx, tfjs-wasm, tfjs-cpu), says which ones work on this machine, and which one is chosen from the hardware profile. Set MIELIN_TENSOR_ENGINE or --engine to force one.'
  static override examples = [
    { command: '<%= config.bin %> <%= command.id %>', description: 'The chosen engine and the reason' },
    { command: '<%= config.bin %> <%= command.id %> --json', description: 'The same, for scripts' },
    { command: '<%= config.bin %> <%= command.id %> --engine tfjs-wasm', description: 'Check that a given engine works here' }
  ]

  static override flags = { engine: engineFlag() }

  async run (): Promise<{ chosen: string, reason: string, candidates: EngineCandidate[] }> {
    const { flags } = await this.parse(TensorInfo)
    const { chosen, reason, candidates } = await selectEngine({ engine: engineOf(flags.engine), probeAll: true, signal: this.signal })
    this.log(`Engine: ${chosen}`)
    this.log(`Why:    ${reason}`)
    this.log('')
    if (!this.jsonEnabled()) this.log(await table(candidateColumns, candidateRows(candidates, chosen)))
    return { chosen, reason, candidates }
  }
}

type CandidateRow = Record<'engine' | 'status' | 'reason', string>
const candidateColumns: Array<Column<keyof CandidateRow>> = [{ key: 'engine', name: 'ENGINE' }, { key: 'status', name: 'STATUS' }, { key: 'reason', name: 'WHY' }]

/** One row per engine; an arrow marks the chosen one. */
function candidateRows (candidates: EngineCandidate[], chosen: string): CandidateRow[] {
  return candidates.map((c) => ({ engine: `${c.name === chosen ? '→' : ' '} ${c.name}`, status: c.usable ? 'usable' : 'unavailable', reason: c.reason }))
}
