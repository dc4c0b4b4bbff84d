import { Args } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { callNode, nodeDataDirFlag, nodeDir } from '../../cli/node-client.js'
import { NodeNotRunningError } from '../../runtime/control/index.js'
import { joinCluster, joinTarget } from '../../runtime/mesh/index.js'

export default class MeshJoin extends BaseCommand {
  static override summary = 'Join a cluster: with a join token, or by dialing HOST:PORT or a multiaddr.'
  static override description = 'With a join token (from `mielin mesh init`) this stores the cluster secret in the data dir and, if the node runs, dials the cluster. With HOST:PORT or a multiaddr, the running local node dials that node (it must hold the same cluster secret).\n\nIt acts on this data dir and the node running with it, so it has no --remote.'
  static override examples = [
    { command: '<%= config.bin %> <%= command.id %> mielin1.eyJr…', description: 'Become a member (before or after `mesh start`)' },
    { command: '<%= config.bin %> <%= command.id %> 192.168.1.100:9000', description: 'Dial a node of the cluster' },
    { command: '<%= config.bin %> <%= command.id %> /ip4/127.0.0.1/tcp/9001 --data-dir ./node-b', description: 'The node using ./node-b dials a multiaddr' }
  ]

  static override args = { target: Args.string({ description: 'A join token, HOST:PORT, or a multiaddr.', required: true }) }
  static override flags = { 'data-dir': nodeDataDirFlag }

  async run (): Promise<{ joined: boolean, dialed: string[], stored: boolean }> {
    const { args, flags } = await this.parse(MeshJoin)
    const dataDir = nodeDir(flags['data-dir'])
    const target = joinTarget(args.target)
    if (target.kind === 'token') {
      const config = await joinCluster(dataDir, target.token)
      try {
        const dialed = await callNode<string[]>(dataDir, 'mesh.join', { addrs: config.bootstrap }, this.signal)
        this.log(`Joined the cluster; dialed ${dialed.join(', ') || 'nothing yet (no bootstrap address in the token)'}.`)
        return { joined: true, dialed, stored: true }
      } catch (err) {
        if (!(err instanceof NodeNotRunningError)) throw err
        this.log(`Stored the cluster secret in ${dataDir}. Start the node: mielin mesh start --bind HOST:PORT --data-dir ${dataDir}${config.bootstrap.length > 0 ? '' : ' --join HOST:PORT-of-a-member'}`)
        return { joined: false, dialed: [], stored: true }
      }
    }
    const dialed = await callNode<string[]>(dataDir, 'mesh.join', { addrs: [target.address] }, this.signal)
    this.log(`Connected to ${dialed.join(', ')}.`)
    return { joined: true, dialed, stored: false }
  }
}
