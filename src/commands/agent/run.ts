import path from 'node:path'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { linesOf } from '../../cli/lines.js'
import { runLocal, type RunLocalResult } from '../../runtime/local/index.js'
import { MielinError } from '../../runtime/errors.js'

export default class AgentRun extends BaseCommand {
  static override summary = 'Run agents on a local single-node runtime and talk to them.'
  static override description = 'Deploys the given .wasm agents on a node inside this process (no mesh), together with the agents of earlier runs in the same data dir, which come back from their last checkpoint. That data dir is .mielin/local in the agent\'s project (the folder of its mielin.json, found from the first file, else from the current folder; else the current folder itself), so each project keeps its own state; the project\'s .gitignore leaves .mielin/ out. --ephemeral starts clean and keeps nothing. Each --send (or each stdin line with --stdin) is a JSON request; replies go to stdout and agent logs (ctx.log and console.*) to stderr.'
  static override examples = [
    { command: '<%= config.bin %> <%= command.id %> dist/hello.wasm --send \'{"n":1}\'', description: 'One request; run it again and the state is kept (in this project\'s .mielin/local)' },
    { command: '<%= config.bin %> <%= command.id %> dist/hello.wasm --ephemeral --send \'{"n":1}\'', description: 'A clean run that keeps nothing: {"count":1} every time' },
    { command: 'echo \'{"n":2}\' | <%= config.bin %> <%= command.id %> dist/hello.wasm --stdin', description: 'One request per stdin line, until EOF or Ctrl-C' },
    { command: '<%= config.bin %> <%= command.id %> relay.wasm hello.wasm --to relay --send \'{"to":"hello","payload":{"n":1}}\'', description: 'Two agents; the relay talks to hello' },
    { command: '<%= config.bin %> <%= command.id %> dist/tensor.wasm --cap log --send \'{}\'', description: 'Grant only the log capability (tensor calls are refused)' }
  ]

  static override strict = false
  static override args = { files: Args.string({ description: 'Built agents (.wasm) to deploy.' }) }
  static override flags = {
    send: Flags.string({ char: 's', description: 'A JSON request to send (repeatable, in order).', multiple: true, helpValue: 'JSON' }),
    stdin: Flags.boolean({ description: 'Read one JSON request per line from stdin.' }),
    to: Flags.string({ description: 'The agent that gets the requests (default: the first file\'s).', helpValue: 'ID' }),
    cap: Flags.string({ description: 'Grant this capability instead of the manifest\'s list (repeatable): log, kv, tensor, send:<id>, send:*.', multiple: true, helpValue: 'CAP' }),
    'data-dir': Flags.string({ description: 'Node data dir (default: .mielin/local in the agent\'s project).', helpValue: 'DIR' }),
    ephemeral: Flags.boolean({ description: 'Start clean and keep nothing (a temporary data dir, deleted afterwards).', exclusive: ['data-dir'] })
  }

  async run (): Promise<RunLocalResult> {
    const { argv, flags } = await this.parse(AgentRun)
    const inputs = flags.stdin ? linesOf(process.stdin) : (flags.send ?? [])
    const result = await runLocal({
      files: argv as string[],
      dataDir: flags['data-dir'],
      ephemeral: flags.ephemeral,
      caps: flags.cap,
      to: flags.to,
      inputs,
      signal: this.signal,
      onReady: ({ dataDir, restored }) => {
        if (restored.length > 0 && !this.jsonEnabled()) process.stderr.write(`Back from earlier runs in ${path.relative(process.cwd(), dataDir) || '.'}: ${restored.join(', ')} (--ephemeral starts clean)\n`)
      },
      onReply: (x) => { if (!this.jsonEnabled()) this.log(x.error === undefined ? JSON.stringify(x.reply ?? null) : `error ${x.error.code}: ${x.error.message}`) },
      onLog: (e) => { if (!this.jsonEnabled()) process.stderr.write(`[${e.agent}] ${e.level}: ${e.message}\n`) },
      onMessage: (m) => { if (!this.jsonEnabled()) this.log(`from ${m.from}: ${JSON.stringify(m.payload)}`) }
    })
    const failed = result.exchanges.findLast((x) => x.error !== undefined)
    if (failed?.error !== undefined && !this.jsonEnabled()) {
      throw new MielinError(`The agent answered ${result.exchanges.filter((x) => x.error !== undefined).length} request(s) with an error; the last: ${failed.error.message}`, failed.error.code, { suggestions: failed.error.suggestions })
    }
    return result
  }
}
