import { BaseCommand } from '../../cli/base-command.js'
import { callNode, nodeDataDirFlag, nodeDir, remoteFlags } from '../../cli/node-client.js'
import { agentsTable, unavailableTable } from '../../cli/node-tables.js'
import { NodesUnreachableError } from '../../runtime/cluster/index.js'
import type { AgentList as Listing } from '../../runtime/types/index.js'

export default class AgentList extends BaseCommand {
  static override summary = 'List the agents of the whole cluster.'
  static override description = `Asks every node for its agents: id, node, status, queued and handled messages, restarts.
Agents whose node left or died are listed too, as unavailable, with what happened to their node (known from its last heartbeat, for a day); they come back when their node starts again, unless their id was deployed elsewhere with --replace meanwhile.
When a node does not answer (or is declared dead), the agents of the others are listed, then each missing node is named with why, and the command exits with 4 (E_NODES_UNREACHABLE).
With --json: { "agents": [...], "unavailable": [{ "id", "epoch", "namespace", "node", "nodeName", "why": { "code", "message" } }], "unreachable": [{ "node", "nodeName", "error": { "code", "message" } }] }, and "error" beside them when a node did not answer.`

  static override examples = [
    { command: '<%= config.bin %> <%= command.id %>', description: 'Every agent on every node' },
    { command: '<%= config.bin %> <%= command.id %> --json | jq \'.unreachable[].nodeName\'', description: 'The nodes that did not answer' }
  ]

  static override flags = { 'data-dir': nodeDataDirFlag, ...remoteFlags }

  async run (): Promise<Listing> {
    const { flags } = await this.parse(AgentList)
    const list = await callNode<Listing>({ dataDir: nodeDir(flags['data-dir']), remote: flags.remote, token: flags.token }, 'agent.list', {}, this.signal)
    if (list.agents.length > 0 || list.unavailable.length > 0) {
      if (!this.jsonEnabled() && list.agents.length > 0) this.log(await agentsTable(list.agents))
      if (!this.jsonEnabled() && list.unavailable.length > 0) {
        this.log(`${list.agents.length > 0 ? '\n' : ''}Unavailable: their node left or died; they come back when it starts again.`)
        this.log(await unavailableTable(list.unavailable))
      }
    } else if (list.unreachable.length === 0) {
      this.log('No agents. Deploy one with: mielin agent deploy dist/<name>.wasm')
    } else {
      this.log('No agents on the nodes that answered.')
    }
    // after the table: the error names each node the list lacks, and sets the exit code
    if (list.unreachable.length > 0) throw new NodesUnreachableError(list)
    return list
  }
}
