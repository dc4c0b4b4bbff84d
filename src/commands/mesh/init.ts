import path from 'node:path'
import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { nodeDataDirFlag, nodeDir } from '../../cli/node-client.js'
import { initCluster } from '../../runtime/mesh/index.js'
import { gitTreeExposing } from '../../runtime/node/index.js'

export default class MeshInit extends BaseCommand {
  static override summary = 'Create a new cluster: its secret, an admin key, and a join token.'
  static override description = 'Run once, on the first node. It writes cluster.json (the cluster secret: nodes without it cannot connect) and admin.key (signs operator tokens) into the data dir, and prints a join token that other nodes pass to `mielin mesh join`. The token contains the cluster secret: share it like a password. The data dir and its files are owner-only (0700, 0600), and a warning says so when the data dir is inside a git working tree that does not ignore it.\n\nIt writes files on this machine, so it has no --remote: run it where the node and its admin key will live.'
  static override examples = [
    { command: '<%= config.bin %> <%= command.id %>', description: 'A cluster in the default data dir' },
    { command: '<%= config.bin %> <%= command.id %> --data-dir ./node-a --bootstrap /ip4/10.0.0.5/tcp/9000', description: 'With the address other nodes should dial' }
  ]

  static override flags = {
    'data-dir': nodeDataDirFlag,
    bootstrap: Flags.string({ description: 'Address of this node for the others to dial (repeatable).', multiple: true, helpValue: 'ADDR' }),
    force: Flags.boolean({ description: 'Replace an existing cluster in this data dir (its nodes will no longer connect).' })
  }

  async run (): Promise<{ dataDir: string, joinToken: string }> {
    const { flags } = await this.parse(MeshInit)
    const dataDir = nodeDir(flags['data-dir'])
    const { joinToken } = await initCluster(dataDir, { bootstrap: flags.bootstrap, force: flags.force })
    this.log(`Cluster created in ${dataDir}.`)
    const tree = await gitTreeExposing(dataDir)
    if (tree !== undefined) {
      const dir = path.resolve(dataDir)
      process.stderr.write(`Warning: ${dir} is inside the git working tree ${tree}, which does not ignore it: a commit could publish what it holds (the cluster secret, keys, agent state).\n` +
        `  Ignore it: echo '/${path.relative(tree, dir)}/' >> ${path.join(tree, '.gitignore')}   (or use a data dir outside the tree)\n`)
    }
    this.log('Join token (contains the cluster secret; share it like a password):')
    this.log(`  ${joinToken}`)
    const dirFlag = flags['data-dir'] === undefined ? '' : ` --data-dir ${flags['data-dir']}`
    this.log(`Next: mielin mesh start --bind HOST:PORT${dirFlag}  (here), and for each other node: mielin mesh join <token> --data-dir DIR`)
    return { dataDir, joinToken }
  }
}
