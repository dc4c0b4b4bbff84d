import path from 'node:path'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { AbortedError, UsageError } from '../../runtime/errors.js'
import { AGENT_NAME_RULE, isAgentName } from '../../runtime/manifest/index.js'
import { checkTemplateName, COMMON_CAPABILITIES, scaffoldAgent, TEMPLATE_NAMES, TEMPLATES, type ScaffoldInit, type TemplateName } from '../../runtime/build/index.js'

export default class NewAgent extends BaseCommand {
  static override summary = 'Create an agent project from a template.'
  static override description = `Writes src/agent.ts, mielin.json (the manifest), test/agent.test.json, README.md and tsconfig.json into ./<name> (or --dir). Templates — ${TEMPLATE_NAMES.map((t) => `${t}: ${TEMPLATES[t].description.replace(/\.$/, '')}`).join('; ')}. In a terminal it asks for what you leave out; with --yes, or without a terminal, it uses the defaults.`
  static override examples = [
    { command: '<%= config.bin %> <%= command.id %> hello', description: 'A counter agent in ./hello (asks for template and capabilities in a terminal)' },
    { command: '<%= config.bin %> <%= command.id %> vision --template tensor --yes', description: 'The tensor template, no questions' },
    { command: '<%= config.bin %> <%= command.id %> router --template relay --cap log --cap send:vision --dir agents/router', description: 'A relay that may only reach "vision"' }
  ]

  static override args = { name: Args.string({ description: `The agent's name: ${AGENT_NAME_RULE}.` }) }
  static override flags = {
    template: Flags.string({ char: 't', description: `Template: ${TEMPLATE_NAMES.join(', ')}. Default: basic.`, helpValue: 'NAME' }),
    cap: Flags.string({ description: 'A capability for mielin.json (repeatable): log, kv, tensor, send:<agent-id>, send:*. Default: the template\'s.', multiple: true, helpValue: 'CAP' }),
    dir: Flags.string({ char: 'd', description: 'Directory to create the project in. Default: ./<name>.', helpValue: 'DIR' }),
    yes: Flags.boolean({ char: 'y', description: 'Ask nothing: use the defaults for what is not given.' }),
    force: Flags.boolean({ description: 'Write into a directory that is not empty (same-named files are replaced).' })
  }

  async run (): Promise<{ dir: string, template: TemplateName, files: string[], capabilities: string[] }> {
    const { args, flags } = await this.parse(NewAgent)
    const ask = process.stdin.isTTY && !flags.yes && !this.jsonEnabled()
    const init = await answers({ name: args.name, template: flags.template, capabilities: flags.cap }, ask)
    const result = await scaffoldAgent({ ...init, dir: flags.dir, force: flags.force, signal: this.signal })
    const where = path.relative(process.cwd(), result.dir) || '.'
    this.log(`Created ${result.name} from the ${result.template} template in ${where}: ${result.files.join(', ')}`)
    // the next commands as this one was typed: through npx (npm sets npm_command) or on the PATH
    const cli = process.env.npm_command === 'exec' ? 'npx mielin' : 'mielin'
    this.log('\nNext steps:')
    if (where !== '.') this.log(`  cd ${where.includes(' ') ? JSON.stringify(where) : where}`)
    this.log(`  ${cli} agent build`)
    this.log(`  ${cli} agent run dist/${result.name}.wasm --send '${TEMPLATES[result.template].example}'`)
    this.log(`  ${cli} agent test`)
    return { dir: result.dir, template: result.template, files: result.files, capabilities: result.capabilities }
  }
}

type Given = Pick<ScaffoldInit, 'template' | 'capabilities'> & { name?: string }

/** Fills in what the flags left out: prompts in a terminal, defaults otherwise. */
async function answers (given: Given, ask: boolean): Promise<ScaffoldInit> {
  if (!ask) {
    if (given.name === undefined) throw new UsageError('Give the agent a name.', undefined, { suggestions: ['mielin new agent <name>, for example: mielin new agent hello'] })
    return { ...given, name: given.name }
  }
  const { input, select, checkbox } = await import('@inquirer/prompts')
  try {
    const name = given.name ?? await input({ message: 'Agent name', validate: (v) => isAgentName(v) || `Use ${AGENT_NAME_RULE}.` })
    const template = given.template !== undefined
      ? checkTemplateName(given.template)
      : await select({ message: 'Template', choices: TEMPLATE_NAMES.map((t) => ({ value: t, description: TEMPLATES[t].description })) })
    const defaults = TEMPLATES[template].capabilities
    const capabilities = given.capabilities ?? await checkbox({
      message: 'Capabilities',
      choices: [...new Set([...defaults, ...COMMON_CAPABILITIES])].map((c) => ({ value: c, checked: defaults.includes(c) }))
    })
    return { name, template, capabilities }
  } catch (err) {
    if ((err as Error).name === 'ExitPromptError') throw new AbortedError('Cancelled.', { cause: err })
    throw err
  }
}
