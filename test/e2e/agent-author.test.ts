// What an agent's author meets, as they type it: console.* in the agent goes to its log, an
// AgentError's code reaches the caller, and `agent run` keeps state per project (git-ignored)
// while `agent run --ephemeral` and `agent test` start clean.
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { mielin } from '../helpers/cli.js'

t.setTimeout(300_000) // one componentize run on a shared 2-core machine
const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-e2e-author-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))
const dir = path.join(tmp, 'shop')

const SHOP = `import { AgentError, defineAgent, type Message } from 'mielin/agent'

export default defineAgent({
  initialState: () => ({ stock: 3 }),
  onMessage (msg: Message<{ buy?: number }>, ctx) {
    const n = msg.payload?.buy ?? 1
    console.log('asked for', n, { from: msg.from })
    console.warn('stock before:', ctx.state.stock)
    console.debug('a debug line')
    if (n > ctx.state.stock) {
      console.error('refused', n)
      throw new AgentError('E_OUT_OF_STOCK', \`only \${ctx.state.stock} left\`)
    }
    ctx.state.stock -= n
    return { stock: ctx.state.stock }
  }
})
`
const run = async (args: string[], cwd = dir): Promise<Awaited<ReturnType<typeof mielin>>> => await mielin(['agent', 'run', 'dist/shop.wasm', ...args], { cwd })
const stock = (stdout: string): unknown => JSON.parse(stdout.trim())

const created = await mielin(['new', 'agent', 'shop', '--yes'], { cwd: tmp })
if (created.exitCode !== 0) throw new Error(created.stderr)
await writeFile(path.join(dir, 'src', 'agent.ts'), SHOP)
await writeFile(path.join(dir, 'test', 'agent.test.json'), JSON.stringify([{ send: { buy: 1 }, expect: { stock: 2 } }, { send: { buy: 2 }, expect: { stock: 0 } }]))

t.test('an agent that uses console.* builds, and each call is a line of its log', async (t) => {
  const built = await mielin(['agent', 'build'], { cwd: dir, timeout: 240_000 })
  t.equal(built.exitCode, 0, built.stderr)
  t.notMatch(built.stderr, /TS2584|dom/)
  const first = await run(['--send', '{"buy":1}'])
  t.equal(first.exitCode, 0, first.stderr)
  t.same(stock(first.stdout), { stock: 2 })
  t.match(first.stderr, /^\[shop\] info: asked for 1 \{"from":"cli:run"\}$/m, 'console.log at level info, parts as ctx.log joins them')
  t.match(first.stderr, /^\[shop\] warn: stock before: 3$/m)
  t.match(first.stderr, /^\[shop\] debug: a debug line$/m)
})

t.test('an AgentError reaches the caller with its own code', async (t) => {
  const refused = await run(['--ephemeral', '--send', '{"buy":9}'])
  t.equal(refused.exitCode, 1)
  t.match(refused.stderr, /^\[shop\] error: refused 9$/m)
  t.match(refused.stderr, /returned an error: E_OUT_OF_STOCK: only 3 left\nCode: E_OUT_OF_STOCK\nTry this: E_OUT_OF_STOCK is the answer of "shop"/)
  const json = await run(['--ephemeral', '--send', '{"buy":9}', '--json'])
  t.match(JSON.parse(json.stdout), { exchanges: [{ error: { code: 'E_OUT_OF_STOCK', message: /only 3 left/ } }] })
})

t.test('agent run keeps state in the project, git-ignored; another project of the same name starts fresh', async (t) => {
  const second = await run(['--send', '{"buy":1}'])
  t.equal(second.exitCode, 0, second.stderr)
  t.same(stock(second.stdout), { stock: 1 }, 'the first test\'s run left 2')
  t.match(second.stderr, 'Back from earlier runs in .mielin/local: shop (--ephemeral starts clean)')
  t.ok((await stat(path.join(dir, '.mielin', 'local'))).isDirectory(), 'in the project\'s .mielin/')

  await execa('git', ['init', '-q'], { cwd: dir })
  const status = await execa('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dir })
  t.notMatch(status.stdout, /\.mielin|dist\//, 'git sees neither the state nor the build')
  t.match(status.stdout, /src\/agent\.ts/)

  // a second project named shop, as another folder or a fresh clone would be
  const other = path.join(tmp, 'other', 'shop')
  await cp(dir, other, { recursive: true, filter: (src) => !src.includes(`${path.sep}.mielin`) && !src.includes(`${path.sep}.git`) })
  const fresh = await run(['--send', '{"buy":1}'], other)
  t.equal(fresh.exitCode, 0, fresh.stderr)
  t.same(stock(fresh.stdout), { stock: 2 }, 'its own state, not the first project\'s')
  t.notMatch(fresh.stderr, /Back from earlier runs/)
  const fromAbove = await mielin(['agent', 'run', 'shop/dist/shop.wasm', '--send', '{"buy":1}'], { cwd: path.dirname(other) })
  t.same(stock(fromAbove.stdout), { stock: 1 }, 'run from the folder above: still the project\'s state')
})

t.test('--ephemeral and agent test start clean and leave the project\'s state alone', async (t) => {
  const clean = await run(['--ephemeral', '--send', '{"buy":1}'])
  t.same(stock(clean.stdout), { stock: 2 }, '--ephemeral: the initial state')
  for (const time of ['first', 'second']) {
    const tested = await mielin(['agent', 'test'], { cwd: dir })
    t.equal(tested.exitCode, 0, tested.stdout + tested.stderr)
    t.match(tested.stdout, /2 passed, 0 failed/, `the ${time} time too`)
  }
  const kept = await run(['--send', '{"buy":1}'])
  t.same(stock(kept.stdout), { stock: 0 }, 'the project\'s state went on from 1, untouched by either')
  t.match(await readFile(path.join(dir, '.gitignore'), 'utf8'), /^\.mielin\/$/m)
})
