import { BaseCommand } from '../../cli/base-command.js'
import { callNode, nodeDataDirFlag, nodeDir } from '../../cli/node-client.js'
import { peersTable } from '../../cli/node-tables.js'
import type { PeerView } from '../../runtime/types/index.js'

export default class MeshPeers extends BaseCommand {
  static override summary = 'List the nodes of the cluster, with their state, hardware and load.'
  static override description = 'Every node this node knows from signed heartbeats, itself included: alive, suspect (missed heartbeats), dead (missed heartbeats and pings) or left.'
  static override examples = [{ command: '<%= config.bin %> <%= command.id %>', description: 'The cluster as this node sees it' }]
  static override flags = { 'data-dir': nodeDataDirFlag }

  async run (): Promise<PeerView[]> {
    const { flags } = await this.parse(MeshPeers)
    const peers = await callNode<PeerView[]>(nodeDir(flags['data-dir']), 'mesh.peers', {}, this.signal)
    if (!this.jsonEnabled()) this.log(await peersTable(peers))
    return peers
  }
}
