// `mielin help …`, `mielin version` and shell completion, as a user types them (needs `npm run build`).
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { mielin, ROOT } from '../helpers/cli.js'

t.test('help agent send prints that command\'s help', async (t) => {
  const r = await mielin(['help', 'agent', 'send'])
  t.equal(r.exitCode, 0, r.stderr)
  t.match(r.stdout, /^USAGE\n\s+\$ mielin agent send ID PAYLOAD/m)
  t.match(r.stdout, /--wait/)
  t.notMatch(r.stderr, /Did you mean/)
})

t.test('help alone lists the topics and the commands help, version and autocomplete', async (t) => {
  const r = await mielin(['help'])
  t.equal(r.exitCode, 0, r.stderr)
  for (const topic of ['agent', 'mesh', 'tensor', 'token']) t.match(r.stdout, new RegExp(`^\\s+${topic}\\s`, 'm'))
  for (const command of ['help', 'version', 'autocomplete']) t.match(r.stdout, new RegExp(`^\\s+${command}\\b`, 'm'))
})

t.test('help for a command that does not exist names the nearest one, both ways of asking', async (t) => {
  for (const args of [['help', 'agent', 'sendd'], ['agent', 'sendd', '--help']]) {
    const r = await mielin(args)
    t.equal(r.exitCode, 2, args.join(' '))
    t.match(r.stderr, /^Error: Unknown command "mielin agent sendd"\.$/m)
    t.match(r.stderr, /^Code: E_UNKNOWN_COMMAND$/m)
    t.match(r.stderr, /^Try this: Did you mean "mielin help agent send"\?$/m)
    t.notMatch(r.stderr, /›/, 'not oclif\'s own error printer')
  }
  const json = await mielin(['help', 'nosuch', '--json'])
  t.equal(json.exitCode, 2)
  t.match(JSON.parse(json.stdout), { error: { code: 'E_UNKNOWN_COMMAND', exitCode: 2 } })
})

t.test('a mistyped command names the nearest one', async (t) => {
  const r = await mielin(['agent', 'sendd', 'hello', '{}'])
  t.equal(r.exitCode, 2)
  t.match(r.stderr, /^Try this: Did you mean "mielin agent send"\?$/m)
})

t.test('version --json names the CLI, its version and the Node it runs on', async (t) => {
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }
  const r = await mielin(['version', '--json'])
  t.equal(r.exitCode, 0, r.stderr)
  const v = JSON.parse(r.stdout) as { cliVersion: string, nodeVersion: string, architecture: string }
  t.equal(v.cliVersion, `mielin/${pkg.version}`)
  t.equal(v.nodeVersion, `node-${process.version}`)
  t.equal(v.architecture, `${process.platform}-${process.arch}`)
  const text = await mielin(['version'])
  t.match(text.stdout, new RegExp(`^mielin/${pkg.version.replaceAll('.', '\\.')} `))
})

t.test('a wrong argument to a plugin command is a usage error in mielin\'s shape', async (t) => {
  const r = await mielin(['autocomplete', 'fish'])
  t.equal(r.exitCode, 2)
  t.match(r.stderr, /^Error: Expected fish to be one of: zsh, bash, powershell$/m)
  t.match(r.stderr, /^Code: E_USAGE$/m)
  t.match(r.stderr, /^Try this: Run "mielin autocomplete --help"/m)
})

t.test('autocomplete: the bash script completes commands and flags', async (t) => {
  const cache = await mkdtemp(path.join(os.tmpdir(), 'mielin-completion-'))
  t.teardown(() => rm(cache, { recursive: true, force: true }))
  const env = { XDG_CACHE_HOME: cache }
  const help = await mielin(['autocomplete', '--help'], { env })
  t.equal(help.exitCode, 0, help.stderr)
  t.match(help.stdout, /zsh\|bash\|powershell/)
  const setup = await mielin(['autocomplete', 'bash'], { env })
  t.equal(setup.exitCode, 0, setup.stderr)
  t.match(setup.stdout, /mielin autocomplete script bash/, 'says what to add to ~/.bashrc')
  const script = await mielin(['autocomplete', 'script', 'bash'], { env })
  t.equal(script.exitCode, 0, script.stderr)
  // what ~/.bashrc would source, then what bash does on <TAB>
  const complete = async (...words: string[]): Promise<string> => (await execa('bash', ['-c',
    `${script.stdout}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _mielin_autocomplete; echo "\${COMPREPLY[*]}"`])).stdout
  t.equal(await complete('mielin', 'agent', 'se'), 'send')
  t.equal(await complete('mielin', 'token', 'issue', '--ri'), '--rights')
  t.match(await complete('mielin', 've'), /^version$/)
})
