// The kernel with real worker threads and real components: state, replies, and hostile
// agents contained while their neighbours keep answering.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { Kernel, type KernelEvent } from '../../src/runtime/kernel/index.js'
import { ComponentLoader } from '../../src/runtime/wasm/index.js'
import { createTensorEngine } from '../../src/runtime/tensor/index.js'
import { buildFixtureAgent } from '../helpers/agents.js'
import { fakeX86Profile } from '../helpers/hardware.js'
import { until } from '../helpers/until.js'

const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'mielin-kernel-'))
t.teardown(() => rm(cacheDir, { recursive: true, force: true }))
const probe = await buildFixtureAgent('probe')
const loader = new ComponentLoader({ cacheDir })

function makeKernel (t: Test, workers = 1, namespaces = {}): Kernel {
  const kernel = new Kernel({ loader, tensor: async () => await createTensorEngine({ engine: 'tfjs-cpu', hardware: fakeX86Profile() }) }, { workers, namespaces })
  t.teardown(() => kernel.stop())
  return kernel
}

const ask = async (k: Kernel, to: string, payload: object): Promise<unknown> => JSON.parse(await k.request('cli:test', to, JSON.stringify(payload)) ?? 'null')
const deploy = async (k: Kernel, id: string, manifest: Parameters<typeof buildFixtureAgent>[1] = {}, caps?: string[]) =>
  await k.deploy({ component: probe.bytes, manifest: { ...probe.manifest, ...manifest, limits: { ...probe.manifest.limits, ...manifest.limits } }, id, caps })

function waitFor (k: Kernel, pred: (e: KernelEvent) => boolean): Promise<KernelEvent> {
  return new Promise((resolve) => { const off = k.events.on((e) => { if (pred(e)) { off(); resolve(e) } }) })
}

t.test('an agent answers and keeps its state', async (t) => {
  const k = makeKernel(t)
  await deploy(k, 'counter')
  t.match(await ask(k, 'counter', { op: 'count' }), { count: 1, self: 'counter' })
  t.match(await ask(k, 'counter', { op: 'count', n: 5 }), { count: 6, violations: 0 })
  t.match(k.info('counter'), { status: 'running', processed: 2 })
  await t.rejects(k.request('cli:test', 'nobody', '{}'), { code: 'E_AGENT_NOT_FOUND' })
  await t.rejects(k.request('cli:test', 'counter', '{"op":"fail","text":"nope"}'), { code: 'E_AGENT_ERROR', message: /nope/ })
  await t.rejects(k.request('cli:test', 'counter', '{"op":"fail","text":"E_OUT_OF_STOCK: none left"}'), { code: 'E_OUT_OF_STOCK', message: /none left/ }, 'an error code of the agent\'s own')
  await t.rejects(k.request('cli:test', 'counter', 'not json'), { code: 'E_BAD_MESSAGE' })
  t.match(await ask(k, 'counter', { op: 'count' }), { count: 7 }, 'errors did not disturb the state')
})

t.test('an endless loop is stopped at its deadline; its neighbour on the same worker keeps its state and answers', async (t) => {
  const k = makeKernel(t, 1)
  await deploy(k, 'looper', { limits: { deadlineMs: 300 } as never })
  await deploy(k, 'bystander')
  await ask(k, 'bystander', { op: 'count', n: 10 })
  const replaced = waitFor(k, (e) => e.name === 'kernel:worker:replaced')
  const started = Date.now()
  await t.rejects(k.request('cli:test', 'looper', '{"op":"loop"}'), { code: 'E_DEADLINE', message: /within 300 ms/ })
  t.ok(Date.now() - started < 3000, `stopped after ${Date.now() - started} ms`)
  t.match(await replaced, { worker: 0 })
  t.match(await ask(k, 'bystander', { op: 'count' }), { count: 11 }, 'the neighbour came back from its snapshot')
  t.match(await ask(k, 'looper', { op: 'count' }), { count: 1 }, 'the runaway was restarted and answers again')
})

t.test('messages queued together go in one on-batch call; one that traps or loops fails alone', async (t) => {
  const k = makeKernel(t, 1)
  await deploy(k, 'batched', { limits: { deadlineMs: 300 } as never })
  const send = (payload: object): Promise<unknown> => k.request('cli:test', 'batched', JSON.stringify(payload)).then((r): unknown => JSON.parse(r ?? 'null'), (err: Error & { code?: string }) => err.code)
  // sent in one tick: they reach the worker as one batch
  const first = await Promise.all([{ op: 'count' }, { op: 'count' }, { op: 'crash' }, { op: 'count' }, { op: 'fail' }, { op: 'count' }].map(send))
  t.same(first.map((r) => (r as { count?: number })?.count ?? r), [1, 2, 'E_AGENT_FAILED', 3, 'E_AGENT_ERROR', 4], 'replayed one by one from the checkpoint: only the culprits fail, and no count is lost or doubled')
  const second = await Promise.all([{ op: 'count' }, { op: 'loop' }, { op: 'count' }].map(send))
  t.same(second.map((r) => (r as { count?: number })?.count ?? r), [5, 'E_DEADLINE', 6], 'a loop inside a batch: the others still answer')
  t.match(await ask(k, 'batched', { op: 'count' }), { count: 7, violations: 0 })
})

t.test('batches waiting in a worker behind one that traps or runs away are neither lost nor blamed', async (t) => {
  const k = makeKernel(t, 1)
  await deploy(k, 'looper', { limits: { deadlineMs: 300 } as never })
  await deploy(k, 'bystander')
  const send = (to: string, payload: object): Promise<unknown> => k.request('cli:test', to, JSON.stringify(payload)).then((r): unknown => JSON.parse(r ?? 'null'), (err: Error & { code?: string }) => err.code)
  // what is sent after this resolves queues behind the batch already handed to the worker
  const handedOver = async (id: string): Promise<void> => { await until(`${id}'s batch to reach its worker`, () => k.info(id).queued === 0, 5000, 1) }
  const loop = send('looper', { op: 'loop' })
  await handedOver('looper')
  // handed to the worker while the loop runs: the looper's own next batch, and a neighbour's
  const behind = [send('looper', { op: 'count' }), send('looper', { op: 'count' }), send('bystander', { op: 'count' })]
  t.equal(await loop, 'E_DEADLINE')
  t.same((await Promise.all(behind)).map((r) => (r as { count?: number })?.count ?? r), [1, 2, 1], 'they ran after the restart, in order')

  const trapped = [{ op: 'count' }, { op: 'count' }, { op: 'crash' }].map((p) => send('looper', p))
  await handedOver('looper')
  const after = [send('looper', { op: 'count' }), send('looper', { op: 'count' })]
  t.same((await Promise.all([...trapped, ...after])).map((r) => (r as { count?: number })?.count ?? r), [3, 4, 'E_AGENT_FAILED', 5, 6])
  t.match(await ask(k, 'looper', { op: 'count' }), { count: 7, violations: 0 }, 'nothing doubled, nothing out of order')

  // an agent that may not restart: what waited behind its runaway batch gets an answer too
  await deploy(k, 'doomed', { restart: 'never', limits: { deadlineMs: 300 } as never })
  const doomed = send('doomed', { op: 'loop' })
  await handedOver('doomed')
  const stranded = [send('doomed', { op: 'count' }), send('doomed', { op: 'count' })]
  t.equal(await doomed, 'E_DEADLINE')
  t.same(await Promise.all(stranded), ['E_AGENT_UNAVAILABLE', 'E_AGENT_UNAVAILABLE'], 'failed with a reason, not left hanging')
  t.match(k.info('doomed'), { status: 'failed' })
})

t.test('a memory bomb is stopped at its limit and the node stays up', async (t) => {
  const k = makeKernel(t, 2)
  await deploy(k, 'bomber', { limits: { memoryMb: 32 } as never })
  await deploy(k, 'bystander')
  const failed = waitFor(k, (e) => e.name === 'kernel:agent:failed' && e.agent === 'bomber')
  await t.rejects(k.request('cli:test', 'bomber', '{"op":"bomb"}'), { code: 'E_QUOTA', message: /out of memory at its 32 MiB limit/ })
  t.match(await failed, { reason: /memory limit \(32 MiB\)/ })
  t.match(await ask(k, 'bystander', { op: 'count' }), { count: 1 })
  t.match(await ask(k, 'bomber', { op: 'count' }), { count: 1 }, 'restarted from its checkpoint')
})

t.test('capabilities: tensor and send are refused without them, allowed with them', async (t) => {
  const k = makeKernel(t, 2)
  await deploy(k, 'plain', {}, ['log'])
  await deploy(k, 'strong', {}, ['log', 'tensor', 'send:plain'])
  await t.rejects(k.request('cli:test', 'plain', '{"op":"tensor"}'), { code: 'E_CAP_DENIED', message: /returned an error: E_CAP_DENIED.*tensor/ })
  t.same(await ask(k, 'strong', { op: 'tensor' }), { data: [1, 0, 3, 0], shape: [2, 2] })
  await t.rejects(k.request('cli:test', 'plain', JSON.stringify({ op: 'send', to: 'strong' })), /E_CAP_DENIED/)
  await t.rejects(k.request('cli:test', 'strong', JSON.stringify({ op: 'send', to: 'other' })), /E_CAP_DENIED: Agent "strong" holds no "send:other"/)
  const got = waitFor(k, (e) => e.name === 'kernel:message' && e.to === 'plain' && e.from === 'strong')
  await ask(k, 'strong', { op: 'send', to: 'plain', payload: { op: 'count', n: 3 } })
  await got
  t.match(await ask(k, 'plain', { op: 'count' }), { count: 4 }, 'the sent message arrived')
  t.equal(k.revoke('strong', 'send:plain'), 1)
  await t.rejects(k.request('cli:test', 'strong', JSON.stringify({ op: 'send', to: 'plain' })), /E_CAP_DENIED/, 'revoked')
})

t.test('bad components get E_WASM_INVALID', async (t) => {
  const k = makeKernel(t)
  await t.rejects(k.deploy({ component: new TextEncoder().encode('not wasm'), manifest: probe.manifest, id: 'junk' }), { code: 'E_WASM_INVALID', exitCode: 3, suggestions: [/mielin agent build/] })
  const coreModule = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0)
  await t.rejects(k.deploy({ component: coreModule, manifest: probe.manifest, id: 'core' }), { code: 'E_WASM_INVALID' })
  t.same(k.list(), [], 'nothing half-deployed')
})

t.test('full mailboxes and quotas refuse with clear errors', async (t) => {
  const k = makeKernel(t, 1, { small: { agents: 1, messagesPerSec: 5 } })
  await deploy(k, 'tiny', { limits: { mailbox: 3 } as never })
  let refused = 0
  for (let i = 0; i < 20; i++) {
    try { k.send('cli:test', 'tiny', '{"op":"noop"}') } catch (err) { t.match(err, { code: 'E_MAILBOX_FULL' }); refused++ }
  }
  t.ok(refused > 0, `${refused} of 20 refused`)
  await k.deploy({ component: probe.bytes, manifest: probe.manifest, id: 'tenant1', namespace: 'small' })
  await t.rejects(k.deploy({ component: probe.bytes, manifest: probe.manifest, id: 'tenant2', namespace: 'small' }), { code: 'E_QUOTA', message: /1 agents/ })
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => k.request('cli:test', 'tenant1', '{"op":"noop"}')))
  t.ok(results.some((r) => r.status === 'rejected' && (r.reason as { code: string }).code === 'E_QUOTA'), 'messages/s quota enforced')
})

t.test('a namespace over its CPU-time quota is refused until the next second', async (t) => {
  const k = makeKernel(t, 1, { thrifty: { cpuMsPerSec: 20 } })
  await k.deploy({ component: probe.bytes, manifest: probe.manifest, id: 'worker', namespace: 'thrifty' })
  let refused: unknown
  for (let i = 0; i < 5000 && refused === undefined; i++) {
    await k.request('cli:test', 'worker', '{"op":"count"}').catch((err) => { refused = err })
  }
  t.match(refused, { code: 'E_QUOTA', message: /20 ms of CPU time/ })
})

t.test('a long-lived agent outlives componentize-js per-call leaks: it is recycled with its state', async (t) => {
  const k = makeKernel(t, 1)
  await deploy(k, 'marathon', { limits: { memoryMb: 16, mailbox: 20_000 } as never })
  const failures: KernelEvent[] = []
  k.events.on((e) => { if (e.name === 'kernel:agent:failed') failures.push(e) })
  for (let i = 0; i < 15_000; i++) {
    k.send('cli:test', 'marathon', '{"op":"count"}')
    if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve))
  }
  t.match(await ask(k, 'marathon', { op: 'count' }), { count: 15_001, violations: 0 })
  t.same(failures, [], 'no crash on the way')
  t.ok(k.info('marathon').memoryBytes < 16 * 2 ** 20, `memory in use: ${(k.info('marathon').memoryBytes / 2 ** 20).toFixed(1)} MiB of 16`)
})
