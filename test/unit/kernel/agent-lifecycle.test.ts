// An agent's life on one kernel: deployed once per id, a failed deploy leaves nothing
// behind, and a stopped agent's queued messages are answered, not left hanging.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { Kernel, type KernelEvent } from '../../../src/runtime/kernel/index.js'
import { createTensorEngine } from '../../../src/runtime/tensor/index.js'
import { ComponentLoader } from '../../../src/runtime/wasm/index.js'
import { buildFixtureAgent } from '../../helpers/agents.js'
import { fakeX86Profile } from '../../helpers/hardware.js'
import { until } from '../../helpers/until.js'

const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'mielin-lifecycle-'))
t.teardown(() => rm(cacheDir, { recursive: true, force: true }))
const probe = await buildFixtureAgent('probe')
const loader = new ComponentLoader({ cacheDir })

function kernel (t: Test, namespaces = {}): Kernel {
  const k = new Kernel({ loader }, { workers: 1, namespaces })
  t.teardown(() => k.stop())
  return k
}

t.test('an id is deployed once; the running agent is kept', async (t) => {
  const k = kernel(t)
  const events: string[] = []
  k.events.on((e: KernelEvent) => { if (e.name.startsWith('kernel:agent:')) events.push(e.name) })
  t.match(await k.deploy({ component: probe.bytes, manifest: probe.manifest, id: 'one', caps: ['send:two'] }), { id: 'one', status: 'running', caps: ['log', 'send:two'] })
  t.same(events, ['kernel:agent:deploying', 'kernel:agent:started'])
  await t.rejects(k.deploy({ component: probe.bytes, manifest: probe.manifest, id: 'one' }), { code: 'E_AGENT_EXISTS' })
  t.match(await k.request('cli:t', 'one', '{"op":"count"}'), /"count":1/)
})

t.test('a deploy that fails leaves no agent and gives its namespace slot back', async (t) => {
  const k = kernel(t, { small: { agents: 1 } })
  await t.rejects(k.deploy({ component: new Uint8Array(8), manifest: probe.manifest, id: 'junk', namespace: 'small' }), { code: 'E_WASM_INVALID' })
  t.same(k.list(), [])
  t.notOk(k.has('junk'))
  t.match(await k.deploy({ component: probe.bytes, manifest: probe.manifest, id: 'good', namespace: 'small' }), { status: 'running' }, 'the slot was free again')
})

t.test('a stopped agent is forgotten, and what it had queued is answered with why', async (t) => {
  const k = kernel(t)
  await k.deploy({ component: probe.bytes, manifest: probe.manifest, id: 'leaving' })
  const stopped = new Promise((resolve) => k.events.on((e) => { if (e.name === 'kernel:agent:stopped') resolve(e) }))
  // queued in this turn, before the dispatcher hands them to the worker
  const queued = [1, 2].map(async () => await k.request('cli:t', 'leaving', '{"op":"count"}').catch((err: Error) => err))
  await k.stopAgent('leaving')
  t.match(await Promise.all(queued), [{ code: 'E_AGENT_UNAVAILABLE', message: 'Agent "leaving" was stopped.' }, { code: 'E_AGENT_UNAVAILABLE' }])
  t.match(await stopped, { agent: 'leaving' })
  t.same(k.list(), [])
  await t.rejects(k.request('cli:t', 'leaving', '{}'), { code: 'E_AGENT_NOT_FOUND' })
  await t.rejects(k.stopAgent('leaving'), { code: 'E_AGENT_NOT_FOUND' })
  t.match(await k.deploy({ component: probe.bytes, manifest: probe.manifest, id: 'leaving' }), { status: 'running', processed: 0 }, 'the id can be deployed again')
})

t.test('an agent with the tensor capability starts only once the tensor engine is loaded, so loading it never counts against a message deadline', async (t) => {
  let release = (): void => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  let loads = 0
  const k = new Kernel({
    loader,
    tensor: async () => { loads++; await gate; return await createTensorEngine({ engine: 'tfjs-cpu', hardware: fakeX86Profile() }) }
  }, { workers: 1 })
  t.teardown(() => k.stop())
  await k.deploy({ component: probe.bytes, manifest: probe.manifest, id: 'plain', caps: ['kv'] })
  t.equal(loads, 0, 'an agent without the capability does not load the engine')
  let started = false
  const deployed = k.deploy({ component: probe.bytes, manifest: probe.manifest, id: 'math', caps: ['tensor'] }).then((info) => { started = true; return info })
  await until('the engine to start loading', () => loads === 1)
  t.notOk(started, 'the deploy waits for the engine')
  release()
  t.match(await deployed, { id: 'math', status: 'running' })
  await k.deploy({ component: probe.bytes, manifest: probe.manifest, id: 'more-math', caps: ['tensor'] })
  t.equal(loads, 1, 'the engine is loaded once per node')
})

t.test('replace: new code under the same id keeps the agent\'s state; code that does not start leaves the old one running', async (t) => {
  const k = kernel(t)
  await k.deploy({ component: probe.bytes, manifest: probe.manifest, id: 'counter' })
  await k.request('cli:t', 'counter', '{"op":"count"}')
  t.match(await k.request('cli:t', 'counter', '{"op":"count"}'), /"count":2/)
  t.match(await k.replace({ component: probe.bytes, manifest: probe.manifest, id: 'counter' }), { id: 'counter', status: 'running' })
  t.match(await k.request('cli:t', 'counter', '{"op":"count"}'), /"count":3/, 'the count went on from its state')
  await t.rejects(k.replace({ component: new Uint8Array(8), manifest: probe.manifest, id: 'counter' }), { code: 'E_WASM_INVALID' })
  t.match(k.info('counter'), { status: 'running' }, 'the old code runs again')
  t.match(await k.request('cli:t', 'counter', '{"op":"count"}'), /"count":4/, 'with its state')
  await t.rejects(k.replace({ component: probe.bytes, manifest: probe.manifest, id: 'nobody' }), { code: 'E_AGENT_NOT_FOUND' })
})

t.test('replace: messages sent while the code is swapped wait in the mailbox, none is lost', async (t) => {
  const k = kernel(t)
  await k.deploy({ component: probe.bytes, manifest: probe.manifest, id: 'busy' })
  const during: Array<Promise<string | undefined>> = []
  const replaced = k.replace({ component: probe.bytes, manifest: probe.manifest, id: 'busy' })
  for (let i = 0; i < 20; i++) during.push(k.request('cli:t', 'busy', '{"op":"count"}'))
  await replaced
  const counts = (await Promise.all(during)).map((r) => (JSON.parse(r ?? '{}') as { count: number }).count)
  t.same(counts, Array.from({ length: 20 }, (_, i) => i + 1), 'all 20 answered, in order')
})
