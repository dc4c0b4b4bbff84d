import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { nodeDataDirFlag, nodeDir } from '../../cli/node-client.js'
import { parseBind, parseLabels } from '../../cli/parse-node-flags.js'
import { createNode, type MeshNode } from '../../runtime/node/index.js'

export default class MeshStart extends BaseCommand {
  static override summary = 'Run a mesh node in the foreground until Ctrl-C.'
  static override description = 'Listens on TCP and QUIC at --bind, joins the cluster (bootstrap addresses from the join token, and --join), brings back the agents of its last run, and serves the CLI on a local owner-only socket. Membership changes are printed as they happen. Ctrl-C leaves the cluster gracefully.'
  static override examples = [
    { command: '<%= config.bin %> <%= command.id %> --bind 0.0.0.0:9000', description: 'The first node (after `mielin mesh init`)' },
    { command: '<%= config.bin %> <%= command.id %> --bind 127.0.0.1:9002 --join 127.0.0.1:9001 --data-dir ./node-b --name b --label zone=b', description: 'A second node on the same machine' }
  ]

  static override flags = {
    bind: Flags.string({ description: 'HOST:PORT to listen on (TCP and UDP/QUIC).', default: '0.0.0.0:9000', helpValue: 'HOST:PORT' }),
    join: Flags.string({ description: 'A node to dial: HOST:PORT or a multiaddr (repeatable).', multiple: true, helpValue: 'ADDR' }),
    'data-dir': nodeDataDirFlag,
    name: Flags.string({ description: 'A name for people (default: the host name).', helpValue: 'NAME' }),
    label: Flags.string({ description: 'A label for placement, k=v (repeatable).', multiple: true, helpValue: 'K=V' }),
    mdns: Flags.boolean({ description: 'Also find peers on the LAN with multicast DNS.' }),
    workers: Flags.integer({ description: 'Worker threads for agents (default: the CPUs available).', min: 1, max: 256 }),
    'heartbeat-ms': Flags.integer({ description: 'Heartbeat interval; suspect after 3, dead after 6 missed.', default: 1000, min: 100, max: 60_000, hidden: true })
  }

  async run (): Promise<{ peerId: string, addrs: string[] }> {
    const { flags } = await this.parse(MeshStart)
    const { host, port } = parseBind(flags.bind)
    const node = await createNode({}, {
      dataDir: nodeDir(flags['data-dir']),
      workers: flags.workers,
      signal: this.signal,
      mesh: {
        host,
        port,
        join: flags.join,
        name: flags.name,
        labels: parseLabels(flags.label ?? []),
        mdns: flags.mdns,
        heartbeatMs: flags['heartbeat-ms'],
        onMembership: (e) => { if (!e.member.self) process.stderr.write(`${e.name.replace('mesh:peer:', '')}: ${e.member.name} (${e.member.peerId})\n`) }
      }
    })
    const { peerId, addrs, status } = node.mesh as MeshNode
    this.log(`mielin node ${status().name} (${peerId}) is running. Ctrl-C to leave.`)
    for (const a of addrs) this.log(`  listening on ${a}`)
    await node.stopped
    return { peerId, addrs }
  }
}
