import { BaseCommand } from '../../cli/base-command.js'
import { callNode, nodeDataDirFlag, nodeDir, remoteFlags } from '../../cli/node-client.js'
import { agentsTable } from '../../cli/node-tables.js'
import type { AgentView } from '../../runtime/types/index.js'

export default class AgentList extends BaseCommand {
  static override summary = 'List the agents of the whole cluster.'
  static override description = 'Asks every live node for its agents: id, node, status, queued and handled messages, restarts.'
  static override examples = [{ command: '<%= config.bin %> <%= command.id %>', description: 'Every agent on every node' }]
  static override flags = { 'data-dir': nodeDataDirFlag, ...remoteFlags }

  async run (): Promise<AgentView[]> {
    const { flags } = await this.parse(AgentList)
    const agents = await callNode<AgentView[]>({ dataDir: nodeDir(flags['data-dir']), remote: flags.remote, token: flags.token }, 'agent.list', {}, this.signal)
    if (agents.length === 0) this.log('No agents. Deploy one with: mielin agent deploy dist/<name>.wasm')
    else if (!this.jsonEnabled()) this.log(await agentsTable(agents))
    return agents
  }
}
