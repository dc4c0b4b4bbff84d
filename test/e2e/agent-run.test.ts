// `mielin agent run` as a user types it, including a SIGKILL and a restart.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { execa } from 'execa'
import t from 'tap'
import { buildFixtureAgent } from '../helpers/agents.js'
import { mielin, ROOT } from '../helpers/cli.js'

const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-run-e2e-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))
const probe = await buildFixtureAgent('probe')
/** What `agent run --json` prints. */
interface RunOutput { exchanges: Array<{ reply: unknown }>, restored: string[] }

t.test('--send twice in one run, then again in a second run: the state is kept', async (t) => {
  const dataDir = path.join(tmp, 'sends')
  const one = await mielin(['agent', 'run', probe.file, '--data-dir', dataDir, '--send', '{"op":"count"}', '--send', '{"op":"count","n":2}'])
  t.equal(one.exitCode, 0, one.stderr)
  t.match(one.stdout, /"count":1[\s\S]*"count":3/)
  const two = await mielin(['agent', 'run', probe.file, '--data-dir', dataDir, '--send', '{"op":"count"}', '--json'])
  t.equal(two.exitCode, 0, two.stderr)
  const out = JSON.parse(two.stdout) as RunOutput
  t.match(out.exchanges[0].reply, { count: 4 })
  t.same(out.restored, ['probe'])
  const logs = await mielin(['agent', 'run', '--data-dir', dataDir, '--send', '{"op":"log","text":"hi there"}'])
  t.match(logs.stderr, /\[probe\] info: hi there/, 'agent logs go to stderr; no file needed to reach a restored agent')
})

t.test('errors: bad wasm, missing file, bad JSON, refused capability', async (t) => {
  const junk = path.join(tmp, 'junk.wasm')
  await writeFile(junk, 'definitely not wasm')
  const bad = await mielin(['agent', 'run', junk, '--ephemeral', '--send', '{}'])
  t.equal(bad.exitCode, 3)
  t.match(bad.stderr, /Code: E_(WASM_INVALID|MANIFEST_MISSING)[\s\S]*Try this:/)
  const missing = await mielin(['agent', 'run', path.join(tmp, 'nope.wasm'), '--ephemeral'])
  t.equal(missing.exitCode, 3)
  t.match(missing.stderr, /no such file[\s\S]*mielin agent build/)
  const json = await mielin(['agent', 'run', probe.file, '--ephemeral', '--send', '{oops'])
  t.equal(json.exitCode, 2)
  t.match(json.stderr, /is not JSON/)
  const denied = await mielin(['agent', 'run', probe.file, '--ephemeral', '--cap', 'log', '--send', '{"op":"tensor"}'])
  t.not(denied.exitCode, 0)
  t.match(denied.stdout + denied.stderr, /E_CAP_DENIED/)
})

t.test('a node killed with SIGKILL comes back from its last checkpoint', async (t) => {
  const dataDir = path.join(tmp, 'killed')
  const child = execa(process.execPath, ['bin/run.js', 'agent', 'run', probe.file, '--data-dir', dataDir, '--stdin'], { cwd: ROOT, reject: false, buffer: false })
  t.teardown(() => { child.kill('SIGKILL') })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  let last: { count: number } | undefined
  for (let i = 1; i <= 5; i++) {
    child.stdin.write('{"op":"count"}\n')
    last = JSON.parse((await lines.next()).value as string) as { count: number }
  }
  t.match(last, { count: 5 })
  child.kill('SIGKILL')
  const gone = await child
  t.equal(gone.signal, 'SIGKILL')
  const after = await mielin(['agent', 'run', '--data-dir', dataDir, '--send', '{"op":"count"}', '--json'])
  t.equal(after.exitCode, 0, after.stderr)
  t.match((JSON.parse(after.stdout) as RunOutput).exchanges[0].reply, { count: 6 }, 'the count went on after the kill')
})
