import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { engineFlag, engineOf, positiveInt } from '../../cli/flags.js'
import { parseInputFlags } from '../../cli/parse-inputs.js'
import { describeValue, runModelFile, type RunModelResult } from '../../runtime/tensor/index.js'

export default class TensorRun extends BaseCommand {
  static override summary = 'Run an ONNX model once and print its outputs.'
  static override description = 'Loads an ONNX model (.onnx) and runs it on onnxruntime-node. Give inputs as JSON with --input NAME=JSON; an input left out gets seeded random normal values, with free dimensions set to 1.'
  static override examples = [
    { command: '<%= config.bin %> <%= command.id %> templates/models/tiny-mlp.onnx --input x=[[1,2,3,4]]', description: 'Run the bundled tiny model on one row' },
    { command: '<%= config.bin %> <%= command.id %> model.onnx --seed 7 --json', description: 'Random inputs, outputs as JSON' }
  ]

  static override args = { model: Args.string({ description: 'Path to the .onnx model file.', required: true }) }
  static override flags = {
    input: Flags.string({ char: 'i', description: 'An input as NAME=JSON (repeatable).', multiple: true, helpValue: 'NAME=JSON' }),
    seed: Flags.string({ description: 'Seed for generated inputs.', default: '1', helpValue: 'N' }),
    engine: engineFlag()
  }

  async run (): Promise<RunModelResult> {
    const { args, flags } = await this.parse(TensorRun)
    const result = await runModelFile({
      path: args.model,
      inputs: parseInputFlags(flags.input),
      seed: positiveInt('seed', flags.seed, 2 ** 31),
      engine: engineOf(flags.engine),
      signal: this.signal
    })
    for (const i of result.inputs) this.log(`input  ${describeValue(i)}${i.generated ? ' (generated)' : ''}`)
    for (const o of result.outputs) this.log(`output ${o.name}: ${o.dtype}[${o.shape.join(', ')}] = ${JSON.stringify(o.values)}`)
    return result
  }
}
