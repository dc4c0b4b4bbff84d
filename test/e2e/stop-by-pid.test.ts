// `kill -INT PID` and `kill PID` stop a node cleanly when PID is the one the shell printed:
// with an older system Node that is bin/run.js's wrapper, which re-runs mielin on the
// project's Node 22, so it must pass the signal on. The node then leaves the mesh on purpose.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { ROOT, mielin } from '../helpers/cli.js'
import { until } from '../helpers/until.js'

t.setTimeout(120_000)
const BIN = path.join(ROOT, 'bin', 'run.js')

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  t.test(`${signal} to the PID the shell printed stops the node, wrapper or not`, async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mielin-stop-'))
    t.teardown(() => rm(dir, { recursive: true, force: true }))
    t.equal((await mielin(['mesh', 'init', '--data-dir', dir])).exitCode, 0)
    // `node` from the PATH, as a user's shell runs ./bin/run.js: the machine's Node, maybe older than 22
    const node = execa('node', [BIN, 'mesh', 'start', '--bind', '127.0.0.1:0', '--data-dir', dir, '--name', 'stopme'], { cwd: ROOT, reject: false, buffer: false, env: { NO_COLOR: '1' } })
    let out = ''
    node.stdout?.on('data', (d: Buffer) => { out += d.toString() })
    node.stderr?.on('data', (d: Buffer) => { out += d.toString() })
    t.teardown(() => { node.kill('SIGKILL') })
    await until(() => `the node to start: ${out}`, () => out.includes('is running'), 60_000, 100)
    t.equal((await mielin(['mesh', 'status', '--data-dir', dir])).exitCode, 0, 'the node answers')

    node.kill(signal) // this PID only, not its process group
    const ended = await node
    t.notOk(ended.signal === 'SIGKILL', `it ended by itself (exit ${ended.exitCode})`)
    const after = await mielin(['mesh', 'status', '--data-dir', dir, '--json'])
    t.not(after.exitCode, 0, 'and nothing answers on its data dir any more: the node under the wrapper stopped too')
  })
}
