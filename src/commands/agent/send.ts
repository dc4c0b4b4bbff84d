import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { callNode, nodeDataDirFlag, nodeDir, remoteFlags } from '../../cli/node-client.js'
import { positiveInt } from '../../cli/flags.js'
import { InvalidArgumentError } from '../../runtime/errors.js'
import type { SendResult } from '../../runtime/types/index.js'

export default class AgentSend extends BaseCommand {
  static override summary = 'Send a JSON message to an agent, wherever it runs.'
  static override description = 'The local node finds the agent\'s node in the directory and routes the message there. With --wait it is a request, and the agent\'s reply is printed.'
  static override examples = [
    { command: '<%= config.bin %> <%= command.id %> hello \'{"n":1}\' --wait', description: 'Ask and print the reply' },
    { command: '<%= config.bin %> <%= command.id %> hello \'{"n":1}\'', description: 'Fire and forget' }
  ]

  static override args = {
    id: Args.string({ description: 'Agent id.', required: true }),
    payload: Args.string({ description: 'The message, JSON.', required: true })
  }

  static override flags = {
    'data-dir': nodeDataDirFlag,
    ...remoteFlags,
    wait: Flags.boolean({ char: 'w', description: 'Wait for the reply and print it.' }),
    timeout: Flags.string({ description: 'How long to wait for the reply, ms.', default: '30000', helpValue: 'MS' })
  }

  async run (): Promise<SendResult> {
    const { args, flags } = await this.parse(AgentSend)
    try {
      JSON.parse(args.payload)
    } catch {
      throw new InvalidArgumentError(`The message ${JSON.stringify(args.payload.slice(0, 80))} is not JSON.`, 'E_BAD_MESSAGE', { suggestions: ['Quote it for your shell: \'{"n":1}\''] })
    }
    const timeoutMs = positiveInt('timeout', flags.timeout, 3_600_000)
    const result = await callNode<SendResult>({ dataDir: nodeDir(flags['data-dir']), remote: flags.remote, token: flags.token }, 'agent.send', { id: args.id, payload: args.payload, wait: flags.wait, timeoutMs }, this.signal)
    this.log(flags.wait ? JSON.stringify(result.reply ?? null) : `sent ${result.messageId ?? ''} to ${args.id} on ${result.node}`)
    return result
  }
}
