import { BaseCommand } from '../../cli/base-command.js'
import { callNode, nodeDataDirFlag, nodeTarget, remoteFlags } from '../../cli/node-client.js'
import type { NodeStatus } from '../../runtime/types/index.js'

export default class MeshStatus extends BaseCommand {
  static override summary = 'Show a node: identity, addresses, peers and agents.'
  static override description = 'Asks the node running with this data dir (over its owner-only control socket), or with --remote a node elsewhere (any token).'
  static override examples = [
    { command: '<%= config.bin %> <%= command.id %> --data-dir ./node-a', description: 'Status of the node using ./node-a' },
    { command: '<%= config.bin %> <%= command.id %> --remote 10.0.0.5:9000 --token "$MIELIN_TOKEN"', description: 'Status of the node at 10.0.0.5' }
  ]

  static override flags = { 'data-dir': nodeDataDirFlag, ...remoteFlags }

  async run (): Promise<NodeStatus> {
    const { flags } = await this.parse(MeshStatus)
    const s = await callNode<NodeStatus>(nodeTarget(flags), 'mesh.status', {}, this.signal)
    this.log(`Node     ${s.name} (${s.peerId})`)
    this.log(`Listens  ${s.addrs.join('  ')}`)
    this.log(`Labels   ${Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(' ') || '(none)'}`)
    this.log(`Peers    ${s.peers.alive} alive, ${s.peers.suspect} suspect, ${s.peers.dead} dead`)
    this.log(`Agents   ${s.agents} here`)
    this.log(`Uptime   ${Math.round(s.uptimeMs / 1000)} s`)
    return s
  }
}
