import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { callNode, nodeDataDirFlag, nodeDir, remoteFlags, streamNode } from '../../cli/node-client.js'
import type { LogLine } from '../../runtime/types/index.js'

export default class AgentLogs extends BaseCommand {
  static override summary = 'Print an agent\'s recent log lines; --follow keeps printing new ones.'
  static override description = 'Log lines come from the agent\'s `log` host calls and from the node (errors, restarts). Nodes keep the last 1000 lines per agent.'
  static override examples = [
    { command: '<%= config.bin %> <%= command.id %> hello', description: 'Recent lines' },
    { command: '<%= config.bin %> <%= command.id %> hello --follow', description: 'And new ones, until Ctrl-C' },
    { command: '<%= config.bin %> <%= command.id %> hello --follow --remote 10.0.0.5:9000 --token "$TOKEN"', description: 'The same, from another machine (a token with the read right)' }
  ]

  static override args = { id: Args.string({ description: 'Agent id.', required: true }) }
  static override flags = { 'data-dir': nodeDataDirFlag, follow: Flags.boolean({ char: 'f', description: 'Keep printing new lines.' }), ...remoteFlags }

  async run (): Promise<LogLine[]> {
    const { args, flags } = await this.parse(AgentLogs)
    const target = { dataDir: nodeDir(flags['data-dir']), remote: flags.remote, token: flags.token }
    const print = (l: LogLine): void => this.log(`${new Date(l.ts).toISOString()} ${l.level.padEnd(5)} ${l.message}`)
    if (!flags.follow) {
      const lines = await callNode<LogLine[]>(target, 'agent.logs', { id: args.id }, this.signal)
      for (const l of lines) print(l)
      return lines
    }
    const seen: LogLine[] = []
    try {
      for await (const l of streamNode<LogLine>(target, 'agent.logs.follow', { id: args.id }, this.signal)) {
        if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify(l)}\n`)
        else print(l)
        seen.push(l)
      }
    } catch (err) {
      if (!this.signal.aborted) throw err // Ctrl-C ends a follow normally
    }
    return this.jsonEnabled() ? [] : seen
  }
}
