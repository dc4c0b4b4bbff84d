// A node's agents survive a restart, a live migration between two kernels loses and
// duplicates nothing, and a component not built by componentize-js runs the same way.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { migrateLocal } from '../../src/runtime/migration/local.js'
import { parseManifest } from '../../src/runtime/manifest/parse.js'
import { Kernel } from '../../src/runtime/kernel/index.js'
import { createNode } from '../../src/runtime/node/index.js'
import { ComponentLoader } from '../../src/runtime/wasm/index.js'
import { buildFixtureAgent } from '../helpers/agents.js'

const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-node-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))
const probe = await buildFixtureAgent('probe')
const ask = async (k: Kernel, to: string, payload: object): Promise<unknown> => JSON.parse(await k.request('cli:test', to, JSON.stringify(payload)) ?? 'null')

t.test('a restarted node brings its agents back with their state and kv', async (t) => {
  const dataDir = path.join(tmp, 'restart')
  const first = await createNode({}, { dataDir, workers: 1 })
  await first.deployFile(probe.file)
  await ask(first.kernel, 'probe', { op: 'count', n: 41 })
  await ask(first.kernel, 'probe', { op: 'kv-set', key: 'colour', value: 'teal' })
  await first.stop()

  const second = await createNode({}, { dataDir, workers: 1 })
  t.teardown(() => second.stop())
  t.same(second.restoreReport.restored.map((a) => a.id), ['probe'])
  t.match(await ask(second.kernel, 'probe', { op: 'count' }), { count: 42 }, 'the count went on from the checkpoint')
  t.equal(await ask(second.kernel, 'probe', { op: 'kv-get', key: 'colour' }), 'teal')
  const again = await second.deployFile(probe.file)
  t.equal(again.processed, 2, 'deploying the same code again keeps the running agent')
})

t.test('live migration between two kernels: nothing lost, nothing duplicated, order kept', async (t) => {
  const loader = new ComponentLoader({ cacheDir: path.join(tmp, 'cache') })
  const a = new Kernel({ loader }, { workers: 1, maxBatch: 8 })
  // replies the target produces for requests the source accepted go back to the source
  const b = new Kernel({ loader, router: (e) => a.accept(e) }, { workers: 1, maxBatch: 8 })
  t.teardown(async () => { await a.stop(); await b.stop() })
  await a.deploy({ component: probe.bytes, manifest: probe.manifest, id: 'mover' })
  const N = 400
  let sent = 0
  const sendSome = (n: number): void => { for (let i = 0; i < n; i++, sent++) a.send('cli:stream', 'mover', '{"op":"count"}') }
  sendSome(150)
  const migration = migrateLocal(a, b, 'mover')
  sendSome(100) // arrive while frozen: must be forwarded, after the snapshot's queue
  const report = await migration
  sendSome(N - sent) // arrive after: forwarded by the source's pointer
  t.equal(report.agent.status, 'running')
  t.ok(report.downtimeMs < 2000, `downtime ${report.downtimeMs.toFixed(1)} ms, ${report.queued} queued messages moved`)
  t.notOk(a.has('mover'), 'the source no longer hosts it')
  const final = await ask(a, 'mover', { op: 'count', n: 0 }) as { count: number, violations: number } // sent to the source: forwarded, reply routed back
  t.equal(final.count, N, `all ${N} messages handled exactly once`)
  t.equal(final.violations, 0, 'per-sender order kept')
})

t.test('a hand-written WAT component of the same world runs in the kernel', async (t) => {
  const loader = new ComponentLoader({ cacheDir: path.join(tmp, 'cache') })
  const k = new Kernel({ loader }, { workers: 1 })
  t.teardown(() => k.stop())
  const echo = await readFile(new URL('../fixtures/agents/echo.wasm', import.meta.url))
  await k.deploy({ component: echo, manifest: parseManifest({ name: 'echo', version: '0.1.0' }) })
  t.equal(await k.request('cli:test', 'echo', '{"hello":"wat"}'), '{"hello":"wat"}')
  t.equal(await k.request('cli:test', 'echo', '[1,2,3]'), '[1,2,3]')
})
