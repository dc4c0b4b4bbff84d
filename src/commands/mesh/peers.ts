import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { callNode, nodeDataDirFlag, nodeTarget, remoteFlags } from '../../cli/node-client.js'
import { peersTable, recentPeers } from '../../cli/node-tables.js'
import type { PeerView } from '../../runtime/types/index.js'

export default class MeshPeers extends BaseCommand {
  static override summary = 'List the nodes of the cluster, with their state, hardware and load.'
  static override description = 'Every node this node knows from signed heartbeats, itself included: alive, suspect (missed heartbeats), dead (missed heartbeats and pings) or left. A node that left more than 10 minutes ago, or was last heard more than an hour ago while dead, is not listed unless --all.\n\n' +
    'Load is each node\'s own process, as its last heartbeat said: CPU (ALL CORES) is the CPU time it used over the heartbeat interval as a share of all the cores it may use (its container\'s limit, else the machine\'s), worker threads included; RSS is its resident memory. Under --json: load.cpu (0..1) and load.memory (bytes).'

  static override examples = [
    { command: '<%= config.bin %> <%= command.id %>', description: 'The cluster as this node sees it' },
    { command: '<%= config.bin %> <%= command.id %> --all --json | jq \'.[] | select(.state == "left") | .name\'', description: 'Every node that left, long ago too' },
    { command: '<%= config.bin %> <%= command.id %> --remote 10.0.0.5:9000 --token "$MIELIN_TOKEN"', description: 'As the node at 10.0.0.5 sees it (any token)' }
  ]

  static override flags = {
    'data-dir': nodeDataDirFlag,
    ...remoteFlags,
    all: Flags.boolean({ description: 'Also list the nodes that left or died long ago.' })
  }

  async run (): Promise<PeerView[]> {
    const { flags } = await this.parse(MeshPeers)
    const peers = await callNode<PeerView[]>(nodeTarget(flags), 'mesh.peers', {}, this.signal)
    const { shown, hidden } = flags.all ? { shown: peers, hidden: 0 } : recentPeers(peers)
    if (!this.jsonEnabled()) this.log(await peersTable(shown))
    if (hidden > 0) this.log(`(${hidden === 1 ? '1 node' : `${hidden} nodes`} that left or died long ago not listed: mesh peers --all)`)
    return shown
  }
}
