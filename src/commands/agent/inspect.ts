import { Args } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { callNode, nodeDataDirFlag, nodeDir, remoteFlags } from '../../cli/node-client.js'
import type { AgentView } from '../../runtime/types/index.js'

export default class AgentInspect extends BaseCommand {
  static override summary = 'Show one agent in detail: node, status, capabilities, memory, counters.'
  static override description = 'Routed to the node that runs the agent.'
  static override examples = [{ command: '<%= config.bin %> <%= command.id %> hello --json', description: 'Everything about hello, as JSON' }]
  static override args = { id: Args.string({ description: 'Agent id.', required: true }) }
  static override flags = { 'data-dir': nodeDataDirFlag, ...remoteFlags }

  async run (): Promise<AgentView> {
    const { args, flags } = await this.parse(AgentInspect)
    const a = await callNode<AgentView>({ dataDir: nodeDir(flags['data-dir']), remote: flags.remote, token: flags.token }, 'agent.inspect', { id: args.id }, this.signal)
    for (const [k, v] of Object.entries(a)) this.log(`${k.padEnd(12)} ${Array.isArray(v) ? v.join(' ') : String(v)}`)
    return a
  }
}
