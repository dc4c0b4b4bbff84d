import { Args } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { MielinError } from '../../runtime/errors.js'
import { testAgent, type AgentTestReport } from '../../runtime/local/index.js'

export default class AgentTest extends BaseCommand {
  static override summary = 'Build an agent project and check its replies against test/agent.test.json.'
  static override description = 'Runs the agent on a throw-away local node, sends each step\'s "send" as a request, and checks the reply contains the step\'s "expect" (objects match on the keys given). Exits 1 when a step fails. Every run starts from a clean state (the agent\'s initialState) and keeps nothing, so the steps get the same replies each time: the state `mielin agent run` keeps in the project\'s .mielin/ is neither used nor changed.'
  static override examples = [
    { command: '<%= config.bin %> <%= command.id %>', description: 'Test the project in this folder, from a clean state' },
    { command: '<%= config.bin %> <%= command.id %> agents/hello --json', description: 'Test another project; print the report as JSON' }
  ]
  static override args = { dir: Args.string({ description: 'The agent project (default: this folder).' }) }

  async run (): Promise<AgentTestReport> {
    const { args } = await this.parse(AgentTest)
    const report = await testAgent({
      dir: args.dir ?? process.cwd(),
      signal: this.signal,
      onProgress: (p) => { if (p.phase === 'start') process.stderr.write(`${p.step}…\n`) },
      onStep: (r) => this.log(`${r.pass ? 'ok    ' : 'FAIL  '} ${r.step}. send ${JSON.stringify(r.send)} → ${r.error ?? JSON.stringify(r.reply ?? null)}${r.pass ? '' : `  (expected ${JSON.stringify(r.expect)})`}`)
    })
    this.log(`${report.passed} passed, ${report.failed} failed`)
    if (report.failed > 0 && !this.jsonEnabled()) throw new MielinError(`${report.failed} of ${report.steps.length} steps failed.`, 'E_AGENT_TEST_FAILED')
    return report
  }
}
