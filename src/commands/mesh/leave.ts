import { BaseCommand } from '../../cli/base-command.js'
import { callNode, nodeDataDirFlag, nodeTarget, remoteFlags } from '../../cli/node-client.js'

export default class MeshLeave extends BaseCommand {
  static override summary = 'Leave the cluster gracefully and stop the node.'
  static override description = 'The node tells its peers it is leaving (they mark it "left", not dead), checkpoints its agents, and exits. Its agents come back when it starts again. With --remote, the node at ADDR leaves (a token with the admin right).'
  static override examples = [
    { command: '<%= config.bin %> <%= command.id %> --data-dir ./node-c', description: 'Node C leaves' },
    { command: '<%= config.bin %> <%= command.id %> --remote 10.0.0.7:9000 --token "$MIELIN_ADMIN_TOKEN"', description: 'The node at 10.0.0.7 leaves' }
  ]

  static override flags = { 'data-dir': nodeDataDirFlag, ...remoteFlags }

  async run (): Promise<{ left: boolean }> {
    const { flags } = await this.parse(MeshLeave)
    await callNode(nodeTarget(flags), 'mesh.leave', {}, this.signal)
    this.log('The node left the cluster and is stopping.')
    return { left: true }
  }
}
