import { Args } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { callNode, nodeDataDirFlag, nodeDir, remoteFlags } from '../../cli/node-client.js'

export default class AgentStop extends BaseCommand {
  static override summary = 'Stop an agent and forget it (its state and kv data are deleted).'
  static override description = 'Routed to the node that runs the agent.'
  static override examples = [{ command: '<%= config.bin %> <%= command.id %> hello', description: 'Stop hello' }]
  static override args = { id: Args.string({ description: 'Agent id.', required: true }) }
  static override flags = { 'data-dir': nodeDataDirFlag, ...remoteFlags }

  async run (): Promise<{ id: string, node: string }> {
    const { args, flags } = await this.parse(AgentStop)
    const r = await callNode<{ id: string, node: string }>({ dataDir: nodeDir(flags['data-dir']), remote: flags.remote, token: flags.token }, 'agent.stop', { id: args.id }, this.signal)
    this.log(`Stopped ${r.id} on ${r.node}.`)
    return r
  }
}
