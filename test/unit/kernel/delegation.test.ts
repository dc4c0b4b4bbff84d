// Delegated send capabilities travel with the message: the receiving kernel grants them,
// whether the sender runs beside the receiver or on another node.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { Kernel, checkEnvelope, type KernelEvent } from '../../../src/runtime/kernel/index.js'
import { ComponentLoader } from '../../../src/runtime/wasm/index.js'
import type { Envelope } from '../../../src/runtime/types/index.js'
import { buildFixtureAgent } from '../../helpers/agents.js'
import { envelope } from '../../helpers/kernel-records.js'

const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'mielin-delegation-'))
t.teardown(() => rm(cacheDir, { recursive: true, force: true }))
const probe = await buildFixtureAgent('probe')
const loader = new ComponentLoader({ cacheDir })

async function kernel (t: Test, agents: Record<string, string[]>, router?: (e: Envelope) => void): Promise<Kernel> {
  const k = new Kernel({ loader, router }, { workers: 1 })
  t.teardown(() => k.stop())
  for (const [id, caps] of Object.entries(agents)) await k.deploy({ component: probe.bytes, manifest: probe.manifest, id, caps })
  return k
}
const sendVia = async (k: Kernel, agent: string, to: string, delegate?: string[]): Promise<unknown> =>
  JSON.parse(await k.request('cli:t', agent, JSON.stringify({ op: 'send', to, payload: { op: 'count' }, delegate })) ?? 'null')
const arrived = (k: Kernel, to: string): Promise<KernelEvent> =>
  new Promise((resolve) => { const off = k.events.on((e) => { if (e.name === 'kernel:message' && e.to === to) { off(); resolve(e) } }) })

t.test('an envelope from another node with grants gives its receiver those send capabilities', async (t) => {
  // "x" lives on another node: what the receiver sends it leaves through the router
  const routed: Envelope[] = []
  const k = await kernel(t, { receiver: ['log', 'send:boss'] }, (e) => routed.push(e))
  await t.rejects(sendVia(k, 'receiver', 'x'), /E_CAP_DENIED: Agent "receiver" holds no "send:x"/, 'not before the grant')
  k.accept({ ...envelope('receiver', 'message', { from: 'boss', payload: '{"op":"noop"}' }), grants: ['send:x'] })
  t.match(k.info('receiver').caps, ['log', 'send:boss', 'send:x'])
  await sendVia(k, 'receiver', 'x')
  t.match(routed, [{ from: 'receiver', to: 'x', payload: '{"op":"count"}' }], 'the receiver may now send to x')
  t.equal(k.revoke('receiver', 'send:x'), 1, 'a grant from afar is revoked by name on the receiver\'s node')
  await t.rejects(sendVia(k, 'receiver', 'x'), /E_CAP_DENIED/)
})

t.test('an envelope without grants gives nothing', async (t) => {
  const k = await kernel(t, { receiver: ['log', 'send:boss'] })
  k.accept(envelope('receiver', 'message', { from: 'boss', payload: '{"op":"noop"}' }))
  k.send('boss', 'receiver', '{"op":"noop"}')
  t.same(k.info('receiver').caps, ['log', 'send:boss'])
})

t.test('on one node: the receiver may use what was delegated, until the delegator\'s own is revoked', async (t) => {
  const k = await kernel(t, { boss: ['log', 'send:receiver', 'send:x'], receiver: ['log', 'send:boss'], x: ['log'] })
  await sendVia(k, 'boss', 'receiver', ['x'])
  t.match(k.info('receiver').caps, ['log', 'send:boss', 'send:x'])
  const got = arrived(k, 'x')
  await sendVia(k, 'receiver', 'x')
  t.match(await got, { from: 'receiver', to: 'x' })
  await sendVia(k, 'boss', 'receiver', ['x']) // delegated again: still one capability
  t.same(k.info('receiver').caps, ['log', 'send:boss', 'send:x'])
  t.equal(k.revoke('boss', 'send:x'), 1)
  t.same(k.info('receiver').caps, ['log', 'send:boss'], 'revoked with its parent')
  await t.rejects(sendVia(k, 'receiver', 'x'), /E_CAP_DENIED/)
})

t.test('an envelope naming a local sender that does not hold the capability grants nothing', async (t) => {
  // e.g. forwarded back, or the sender's own was revoked on the way: no root capability from it
  const k = await kernel(t, { boss: ['log', 'send:receiver'], receiver: ['log', 'send:boss'] })
  k.accept({ ...envelope('receiver', 'message', { from: 'boss', payload: '{"op":"noop"}' }), grants: ['send:x'] })
  await sendVia(k, 'boss', 'receiver')
  t.same(k.info('receiver').caps, ['log', 'send:boss'], 'boss holds no send:x, so the receiver gets none')
})

t.test('a sender cannot delegate what it does not hold, and then nothing is sent', async (t) => {
  const k = await kernel(t, { boss: ['log', 'send:receiver'], receiver: ['log', 'send:boss'] })
  const events: KernelEvent[] = []
  k.events.on((e) => { if (e.name === 'kernel:message' && e.to === 'receiver') events.push(e) })
  await t.rejects(sendVia(k, 'boss', 'receiver', ['x']), /E_CAP_DENIED: Agent "boss" holds no "send:x"/)
  t.same(events, [], 'the message did not go')
  t.same(k.info('receiver').caps, ['log', 'send:boss'])
})

t.test('a delegation from a wildcard passes on only the named target', async (t) => {
  const k = await kernel(t, { boss: ['log', 'send:*'], receiver: ['log', 'send:boss'] })
  await sendVia(k, 'boss', 'receiver', ['x'])
  t.same(k.info('receiver').caps, ['log', 'send:boss', 'send:x'])
})

t.test('grants are bounded and only send capabilities can travel', async (t) => {
  const e = envelope('receiver', 'message')
  t.ok(checkEnvelope({ ...e, grants: ['send:x'] }))
  for (const grants of [['kv'], ['tensor'], ['send:'], ['send:' + 'a'.repeat(76)], Array.from({ length: 65 }, (_, i) => `send:a${i}`), 'send:x']) {
    t.throws(() => checkEnvelope({ ...e, grants } as Envelope), { code: 'E_BAD_MESSAGE', message: /"grants"/ }, JSON.stringify(grants).slice(0, 40))
  }
  t.ok(checkEnvelope({ ...e, grants: Array.from({ length: 64 }, (_, i) => `send:${'a'.repeat(74)}${i % 10}`) }), '64 names of 80 characters pass')
})
