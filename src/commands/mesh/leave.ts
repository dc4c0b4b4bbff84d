import { BaseCommand } from '../../cli/base-command.js'
import { callNode, nodeDataDirFlag, nodeDir } from '../../cli/node-client.js'

export default class MeshLeave extends BaseCommand {
  static override summary = 'Leave the cluster gracefully and stop the local node.'
  static override description = 'The node tells its peers it is leaving (they mark it "left", not dead), checkpoints its agents, and exits. Its agents come back when it starts again.'
  static override examples = [{ command: '<%= config.bin %> <%= command.id %> --data-dir ./node-c', description: 'Node C leaves' }]
  static override flags = { 'data-dir': nodeDataDirFlag }

  async run (): Promise<{ left: boolean }> {
    const { flags } = await this.parse(MeshLeave)
    await callNode(nodeDir(flags['data-dir']), 'mesh.leave', {}, this.signal)
    this.log('The node left the cluster and is stopping.')
    return { left: true }
  }
}
