import path from 'node:path'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { buildAgent, type BuildResult } from '../../runtime/build/index.js'

export default class AgentBuild extends BaseCommand {
  static override summary = 'Build an agent project into a WebAssembly component.'
  static override description = 'Type-checks src/agent.ts, bundles it with the mielin/agent SDK (esbuild), turns it into a component of the mielin:agent world (componentize-js) and checks the result against the world. Writes dist/<name>.wasm, with mielin.json embedded in it, and dist/<name>.manifest.json. Nothing is rebuilt when no source, the manifest, the SDK or the world changed. Steps go to stderr.'
  static override examples = [
    { command: '<%= config.bin %> <%= command.id %>', description: 'Build the project in this directory' },
    { command: '<%= config.bin %> <%= command.id %> agents/hello --json', description: 'Build another project; print the result as JSON' },
    { command: '<%= config.bin %> <%= command.id %> --force', description: 'Rebuild even when nothing changed' }
  ]

  static override args = { dir: Args.string({ description: 'The project directory (with mielin.json). Default: the current directory.' }) }
  static override flags = { force: Flags.boolean({ char: 'f', description: 'Rebuild even when nothing changed.' }) }

  async run (): Promise<BuildResult> {
    const { args, flags } = await this.parse(AgentBuild)
    const result = await buildAgent({
      dir: args.dir,
      force: flags.force,
      signal: this.signal,
      onProgress: (p) => {
        // In a terminal the running step shows until its line replaces it; in logs only the done lines.
        const tty = process.stderr.isTTY
        if (p.phase === 'start') { if (tty) process.stderr.write(`  … ${p.step}`) } else process.stderr.write(`${tty ? '\r' : ''}  ✓ ${p.step.padEnd(12)} ${seconds(p.ms ?? 0)}\n`)
      }
    })
    const wasm = path.relative(process.cwd(), result.wasm)
    if (result.skipped) this.log(`${wasm} is up to date (nothing changed; --force rebuilds it).`)
    else this.log(`Built ${wasm} (${(result.bytes / 2 ** 20).toFixed(1)} MiB) in ${seconds(result.ms)}; manifest in ${path.relative(process.cwd(), result.manifest)}.`)
    return result
  }
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`
