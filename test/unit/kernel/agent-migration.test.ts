// One kernel's side of a migration: a freeze waits for the batch in flight and takes the
// queue with it, a thaw puts it back, and a release forwards everything later.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { Kernel } from '../../../src/runtime/kernel/index.js'
import { ComponentLoader } from '../../../src/runtime/wasm/index.js'
import type { Envelope } from '../../../src/runtime/types/index.js'
import { buildFixtureAgent } from '../../helpers/agents.js'

const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'mielin-migration-'))
t.teardown(() => rm(cacheDir, { recursive: true, force: true }))
const probe = await buildFixtureAgent('probe')
const loader = new ComponentLoader({ cacheDir })

async function kernelWithAgent (t: Test): Promise<Kernel> {
  const k = new Kernel({ loader }, { workers: 1 })
  t.teardown(() => k.stop())
  await k.deploy({ component: probe.bytes, manifest: probe.manifest, id: 'mover' })
  return k
}
const count = async (k: Kernel): Promise<number> => (JSON.parse(await k.request('cli:t', 'mover', '{"op":"count","n":0}') ?? '{}') as { count: number }).count

t.test('a freeze snapshots the state and the queue; a thaw puts the queue back and it runs', async (t) => {
  const k = await kernelWithAgent(t)
  await k.request('cli:t', 'mover', '{"op":"count","n":5}')
  for (let i = 0; i < 3; i++) k.send('cli:t', 'mover', '{"op":"count"}')
  const snapshot = await k.freeze('mover')
  t.match(snapshot, { id: 'mover', namespace: 'default', caps: ['log', 'kv', 'tensor', 'send:*'] })
  t.ok(snapshot.state !== undefined && snapshot.state.byteLength > 0, 'the state came along')
  t.equal(snapshot.mailbox.length + (JSON.parse(new TextDecoder().decode(snapshot.state)) as { count: number }).count - 5, 3, 'each message is either handled or in the snapshot, none twice')
  t.match(k.info('mover'), { status: 'migrating' })
  await t.rejects(k.freeze('mover'), { code: 'E_AGENT_UNAVAILABLE', message: /migrating and cannot be migrated now/ })
  k.thaw('mover', snapshot.mailbox)
  t.equal(await count(k), 8, 'the queue ran after the thaw')
})

t.test('a release forwards what waited and everything after; the kernel no longer hosts the agent', async (t) => {
  const k = await kernelWithAgent(t)
  const { hash } = k.info('mover')
  const snapshot = await k.freeze('mover')
  k.send('cli:t', 'mover', '{"op":"count","n":1}') // arrives while frozen
  const forwarded: Envelope[] = []
  await k.release('mover', (e) => forwarded.push(e))
  k.send('cli:t', 'mover', '{"op":"count","n":2}') // arrives after
  t.same(forwarded.map((e) => e.payload), ['{"op":"count","n":1}', '{"op":"count","n":2}'])
  t.same(snapshot.mailbox, [])
  t.notOk(k.has('mover'))
  t.same(k.list(), [])
  t.throws(() => k.info('mover'), { code: 'E_AGENT_NOT_FOUND' })
  t.ok(k.component(hash)?.byteLength === probe.bytes.byteLength, 'its component bytes stay, to copy ahead of a later move')
  t.equal(k.component('no-such-hash'), undefined)
})
