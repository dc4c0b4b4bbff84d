import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { nodeDataDirFlag, nodeDir } from '../../cli/node-client.js'
import { parseBind, parseLabels } from '../../cli/parse-node-flags.js'
import { jsonLine, NodeLineWriter, stoppedLine, type StoppedLine } from '../../cli/node-lines.js'
import { createNode, type MeshNode } from '../../runtime/node/index.js'

export default class MeshStart extends BaseCommand {
  static override summary = 'Run a mesh node in the foreground until Ctrl-C.'
  static override description = 'Listens on TCP and QUIC at --bind, joins the cluster (bootstrap addresses from the join token, and --join), brings back the agents of its last run, and serves the CLI on a local owner-only socket. Membership changes are printed as they happen. Ctrl-C leaves the cluster gracefully.\n\n' +
    'With --json, stdout is JSON lines while the node runs: first {"event":"started","name","peerId","addrs",…} (the ports it picked for --bind HOST:0), then one line per change of another node (joined, suspect, dead, alive, left), then {"event":"stopped",…}; an error is one {"error":{…}} line.\n\n' +
    'The node runs here, in this process: mesh start (like mesh init and mesh join TOKEN, which write this data dir) has no --remote. To look at or stop a node elsewhere: mesh status, mesh peers, mesh leave --remote ADDR --token T.'
  static override examples = [
    { command: '<%= config.bin %> <%= command.id %> --bind 0.0.0.0:9000', description: 'The first node (after `mielin mesh init`)' },
    { command: '<%= config.bin %> <%= command.id %> --bind 127.0.0.1:9002 --join 127.0.0.1:9001 --data-dir ./node-b --name b --label zone=b', description: 'A second node on the same machine' },
    { command: '<%= config.bin %> <%= command.id %> --bind 127.0.0.1:0 --json | jq -c \'select(.event == "started") | .addrs\'', description: 'For a script: a free port, and the addresses it got' }
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

  async run (): Promise<StoppedLine> {
    const { flags } = await this.parse(MeshStart)
    const lines = this.jsonEnabled() ? new NodeLineWriter((text) => process.stdout.write(text)) : undefined
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
        onMembership: (e) => {
          if (e.member.self) return
          if (lines !== undefined) lines.member(e)
          else process.stderr.write(`${e.name.replace('mesh:peer:', '')}: ${e.member.name} (${e.member.peerId})\n`)
        }
      }
    })
    const { peerId, addrs, status } = node.mesh as MeshNode
    const { name } = status()
    this.log(`mielin node ${name} (${peerId}) is running. Ctrl-C to leave.`)
    for (const a of addrs) this.log(`  listening on ${a}`)
    lines?.started({ name, peerId, addrs })
    await node.stopped
    return stoppedLine({ name, peerId })
  }

  /** Under --json the result (the `stopped` line) and errors are one line each, like the lines before them. */
  override logJson (json: unknown): void {
    process.stdout.write(jsonLine(json))
  }
}
