import { BaseCommand } from '../../cli/base-command.js'
import { engineFlag, engineOf } from '../../cli/flags.js'
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
    for (const c of candidates) this.log(`  ${c.name === chosen ? '→' : ' '} ${c.name.padEnd(10)} ${c.usable ? 'usable     ' : 'unavailable'}  ${c.reason}`)
    return { chosen, reason, candidates }
  }
}
