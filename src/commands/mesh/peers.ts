import { BaseCommand } from '../../cli/base-command.js'
import { callNode, nodeDataDirFlag, nodeDir } from '../../cli/node-client.js'
import type { PeerView } from '../../runtime/types/index.js'

export default class MeshPeers extends BaseCommand {
  static override summary = 'List the nodes of the cluster, with their state, hardware and load.'
  static override description = 'Every node this node knows from signed heartbeats, itself included: alive, suspect (missed heartbeats), dead (missed heartbeats and pings) or left.'
  static override examples = [{ command: '<%= config.bin %> <%= command.id %>', description: 'The cluster as this node sees it' }]
  static override flags = { 'data-dir': nodeDataDirFlag }

  async run (): Promise<PeerView[]> {
    const { flags } = await this.parse(MeshPeers)
    const peers = await callNode<PeerView[]>(nodeDir(flags['data-dir']), 'mesh.peers', {}, this.signal)
    for (const p of peers) {
      const hw = p.hardware
      const labels = Object.entries(p.labels).map(([k, v]) => `${k}=${v}`).join(',')
      this.log(`${p.self ? '*' : ' '} ${p.name.padEnd(12)} ${p.state.padEnd(7)} ${hw.arch} ${hw.cores} cores ${(hw.memoryBytes / 2 ** 30).toFixed(1)} GiB ${hw.simd.filter((f) => /^(avx2|avx512f|amx-tile|neon|sve2?|sme|rvv)$/.test(f)).join(' ')}${hw.gpus > 0 ? ` ${hw.gpus} GPU` : ''}  agents=${p.load.agents} cpu=${Math.round(p.load.cpu * 100)}% msgs/s=${Math.round(p.load.messagesPerSec)}${labels !== '' ? `  ${labels}` : ''}  ${p.peerId}`)
    }
    return peers
  }
}
