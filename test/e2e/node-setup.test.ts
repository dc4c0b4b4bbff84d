// A node's set-up as a new user meets it: a port or a data dir another node already uses is
// one clear error that names that node's PID and how to stop it; --remote from a machine
// without the cluster secret says which command stores it; `mesh init` warns about a data dir
// a git working tree would commit; what the README's quick start makes is ignored by git and
// by the linter of `npm test`.
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { ESLint } from 'eslint'
import { execa, type ResultPromise } from 'execa'
import t from 'tap'
import { mielin, ROOT } from '../helpers/cli.js'
import { freePort } from '../helpers/ports.js'
import { until } from '../helpers/until.js'

t.setTimeout(180_000)
const tmp = await realpath(await mkdtemp(path.join(os.tmpdir(), 'mielin-setup-e2e-')))
const dir = (n: string): string => path.join(tmp, n)
const hasGit = (await execa('git', ['--version'], { reject: false })).exitCode === 0
let node: { child: ResultPromise, stdout: string, stderr: string } | undefined

t.teardown(async () => {
  node?.child.kill('SIGKILL')
  await node?.child
  await rm(tmp, { recursive: true, force: true })
})

t.test('a port and a data dir a running node holds: who holds them, and how to stop it', async (t) => {
  const init = await mielin(['mesh', 'init', '--data-dir', dir('a'), '--json'])
  const { joinToken } = JSON.parse(init.stdout) as { joinToken: string }
  t.equal((await mielin(['mesh', 'init', '--data-dir', dir('b')])).exitCode, 0)
  const port = await freePort()
  const child = execa(process.execPath, ['bin/run.js', 'mesh', 'start', '--bind', `127.0.0.1:${port}`, '--data-dir', dir('a'), '--name', 'a', '--workers', '1'], { cwd: ROOT, reject: false, buffer: false, env: { NO_COLOR: '1' } })
  const a = { child, stdout: '', stderr: '' }
  node = a
  child.stdout?.on('data', (d: Buffer) => { a.stdout += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { a.stderr += d.toString() })
  await until(() => `a to start: ${a.stderr}`, () => a.stdout.includes('is running'), 30_000, 50)
  const pid = child.pid ?? 0

  const taken = await mielin(['mesh', 'start', '--bind', `127.0.0.1:${port}`, '--data-dir', dir('b')])
  t.equal(taken.exitCode, 4, taken.stderr)
  t.match(taken.stderr, `Error: Cannot listen on 127.0.0.1:${port}: the port is already in use (TCP and UDP) by PID ${pid} (`)
  t.match(taken.stderr, 'Code: E_PORT_IN_USE')
  t.match(taken.stderr, 'Try this: Let the system pick free ports: --bind 127.0.0.1:0')
  t.match(taken.stderr, `Try this: It is a mielin node: use it (mielin mesh status --data-dir ${dir('a')}), or stop it (mielin mesh leave --data-dir ${dir('a')})`)
  t.notMatch(taken.stderr, /\n\s+at |faultTolerance|--port|E_NODE_UNREACHABLE/, 'one error: no stack, no libp2p advice, no flag that does not exist')
  t.equal(await readFile(path.join(dir('b'), 'node.pid'), 'utf8').catch(() => 'none'), 'none', 'b, which failed, holds nothing')

  const busy = await mielin(['mesh', 'start', '--bind', '127.0.0.1:0', '--data-dir', dir('a')])
  t.equal(busy.exitCode, 1, busy.stderr)
  t.match(busy.stderr, `Error: A mielin node is already running with data dir ${dir('a')}: PID ${pid} (`)
  t.match(busy.stderr, 'Code: E_DATA_DIR_IN_USE')
  t.match(busy.stderr, `mielin mesh leave --data-dir ${dir('a')}`)
  t.match(busy.stderr, `Try this: Stop the process: kill ${pid}`)
  t.notMatch(busy.stderr, /Database failed to open/)

  t.equal((await mielin(['mesh', 'status', '--data-dir', dir('a')])).exitCode, 0, 'the running node is untouched')
  t.equal(await readFile(path.join(dir('a'), 'node.pid'), 'utf8'), `${pid}\n`)

  // an operator machine: --remote needs the cluster secret, which one command stores
  const remote = ['agent', 'list', '--remote', `127.0.0.1:${port}`, '--token', 'not-a-token', '--data-dir', dir('op')]
  const noSecret = await mielin(remote)
  t.equal(noSecret.exitCode, 3, noSecret.stderr)
  t.match(noSecret.stderr, `Error: --remote needs the cluster secret on this machine, and data dir ${dir('op')} has none`)
  t.match(noSecret.stderr, `Try this: Store the secret once, from a join token (the one \`mielin mesh init\` printed; ask the cluster's admin): mielin mesh join <join token> --data-dir ${dir('op')}`)
  t.equal((await mielin(['mesh', 'join', joinToken, '--data-dir', dir('op')])).exitCode, 0)
  const withSecret = await mielin(remote)
  t.match(withSecret.stderr, 'Code: E_TOKEN_MALFORMED', 'with the secret, the node is reached and reads the token')

  t.equal((await mielin(['mesh', 'leave', '--data-dir', dir('a')])).exitCode, 0)
  t.equal((await child).exitCode, 0)
  t.equal(await readFile(path.join(dir('a'), 'node.pid'), 'utf8').catch(() => 'none'), 'none', 'the PID file goes with the node')
})

t.test('mesh init warns when a git working tree would commit its data dir', { skip: hasGit ? false : 'no git here' }, async (t) => {
  const repo = dir('clone')
  await mkdir(repo)
  await execa('git', ['init', '-q'], { cwd: repo })
  await writeFile(path.join(repo, '.gitignore'), '/demo/\n')
  const exposed = await mielin(['mesh', 'init', '--data-dir', 'a'], { cwd: repo })
  t.equal(exposed.exitCode, 0, 'a warning, not an error')
  t.match(exposed.stderr, `Warning: ${path.join(repo, 'a')} is inside the git working tree ${repo}, which does not ignore it`)
  t.match(exposed.stderr, `echo '/a/' >> ${path.join(repo, '.gitignore')}`)
  const ignored = await mielin(['mesh', 'init', '--data-dir', 'demo/a'], { cwd: repo })
  t.equal(ignored.exitCode, 0)
  t.notMatch(ignored.stderr, /Warning/)
  const outside = await mielin(['mesh', 'init', '--data-dir', dir('outside')])
  t.notMatch(outside.stderr, /Warning/, 'outside any working tree')
})

t.test('what the quick start makes in the clone is ignored by git and by the linter', { skip: hasGit ? false : 'no git here' }, async (t) => {
  const eslint = new ESLint({ cwd: ROOT })
  for (const p of ['demo/hello/src/agent.ts', 'demo/a/cluster.json', 'a/admin.key', 'hello/.mielin/local/node.pid', 'x/cluster.json', 'x/identity.key']) {
    const git = await execa('git', ['check-ignore', '-q', p], { cwd: ROOT, reject: false })
    t.equal(git.exitCode, 0, `git ignores ${p}`)
  }
  for (const p of ['demo/hello/src/agent.ts', 'demo/hello/test/x.test.ts', 'hello/.mielin/local/x.ts']) t.ok(await eslint.isPathIgnored(path.join(ROOT, p)), `eslint ignores ${p}`)
  t.notOk(await eslint.isPathIgnored(path.join(ROOT, 'src/runtime/errors.ts')), 'and still lints the sources')
})
