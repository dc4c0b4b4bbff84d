// Each template, type-checked and bundled exactly as `mielin agent build` does, then run in
// Node against the stub host (no componentize): its test/agent.test.json steps hold, and
// its behaviour beyond them.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { bundleAgent, loadProject, scaffoldAgent, TEMPLATE_NAMES, typecheckAgent, type TemplateName } from '../../../src/runtime/build/index.js'
import { referenceForward } from '../../../scripts/tiny-mlp.js'
import { envelope, failure, loadBundle, stubHost, type AgentExports, type StubHost, type StubTensor } from '../../helpers/agent-stub-host.js'

const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-templates-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))

/** The tiny MLP's ONNX model, as the real host would run it. */
const runTinyMlp = (inputs: Record<string, StubTensor>): Record<string, StubTensor> => {
  const x = inputs.x
  const rows = Array.from({ length: x.shape[0] ?? 0 }, (_, i) => Array.from(x.data.subarray(i * 4, i * 4 + 4)))
  return { y: { data: Float32Array.from(referenceForward(rows).flat()), shape: [rows.length, 3] } }
}

async function load (template: TemplateName, host: StubHost): Promise<{ agent: AgentExports, dir: string }> {
  const { dir } = await scaffoldAgent({ name: `t-${template}`, template, cwd: tmp, force: true })
  const project = await loadProject(dir)
  await typecheckAgent(project)
  const agent = await loadBundle(await bundleAgent(project), host)
  agent.init()
  return { agent, dir }
}

for (const template of TEMPLATE_NAMES) {
  t.test(`${template}: the steps of test/agent.test.json hold`, async (t) => {
    const host = stubHost({ runModel: runTinyMlp })
    const { agent, dir } = await load(template, host)
    const steps = JSON.parse(await readFile(path.join(dir, 'test/agent.test.json'), 'utf8')) as Array<{ send: unknown, expect: unknown }>
    for (const step of steps) {
      const reply = agent.onMessage(envelope(step.send))
      t.has(JSON.parse(reply ?? 'null'), step.expect, `send ${JSON.stringify(step.send)}`)
    }
  })
}

t.test('basic: the count is the state, and it survives a migration', async (t) => {
  const { agent } = await load('basic', stubHost())
  agent.onMessage(envelope({ n: 40 }))
  const snapshot = agent.onMigrate()
  const host = stubHost()
  const { agent: moved } = await load('basic', host)
  moved.init(snapshot)
  t.equal(moved.onMessage(envelope({ n: 2 })), '{"count":42}')
  t.match(host.logs.at(-1), ['info', /starts at count 40/])
})

t.test('tensor: ops and the ONNX model agree with the float64 reference; nothing leaks', async (t) => {
  const host = stubHost({ runModel: runTinyMlp })
  const { agent } = await load('tensor', host)
  const x = [[1, 2, 3, 4], [-1, 0.5, 2, -3]]
  const expected = referenceForward(x)
  for (const engine of ['ops', 'onnx']) {
    const reply = JSON.parse(agent.onMessage(envelope({ x, engine })) ?? '') as { probs: number[][], classes: number[], engine: string }
    t.equal(reply.engine, engine)
    reply.probs.flat().forEach((p, i) => { t.ok(Math.abs(p - (expected.flat()[i] ?? NaN)) < 1e-3, `${engine} p[${i}] = ${p}`) })
    t.same(reply.classes, [1, 2])
  }
  t.equal(host.tensors.size, 4, 'only the 4 weight tensors stay on the host')
  t.equal(host.models.size, 1, 'the model is loaded once')
  t.same([...host.models.values()][0], await readFile(path.join(tmp, 't-tensor/src/tiny-mlp.onnx')), 'the bundled model bytes are the file\'s')
  t.match(failure(() => agent.onMessage(envelope({ x: [[1, 2]] }))), /^E_BAD_INPUT: /)
  const denied = await load('tensor', stubHost({ capabilities: ['log'] }))
  t.match(failure(() => denied.agent.onMessage(envelope({ x: [[1, 2, 3, 4]] }))), /^E_CAP_DENIED: /, 'without the tensor capability')
})

t.test('relay: forwards a request and relays the reply to the asker', async (t) => {
  const host = stubHost({ capabilities: ['log', 'send:counter', 'send:front'] })
  const { agent } = await load('relay', host)
  const forwarded = JSON.parse(agent.onMessage(envelope({ to: 'counter', payload: { n: 2 } }, { from: 'front' })) ?? '') as unknown
  t.same(forwarded, { to: 'counter', forwarded: true, requestId: 'r1' })
  t.same(host.outbox, [{ kind: 'request', id: 'r1', to: 'counter', payload: { n: 2 } }])
  t.has(JSON.parse(agent.onMessage(envelope({})) ?? ''), { pending: 1, relayed: 0 })

  t.equal(agent.onMessage(envelope({ count: 2 }, { kind: 'reply', from: 'counter', replyTo: 'r1' })), undefined)
  t.same(host.outbox[1], { kind: 'message', id: 'm2', to: 'front', payload: { relayed: { count: 2 }, from: 'counter', requestId: 'r1' }, delegate: [] })
  t.has(JSON.parse(agent.onMessage(envelope({})) ?? ''), { pending: 0, relayed: 1 })

  const refused = JSON.parse(agent.onMessage(envelope({ to: 'vault', payload: 1 })) ?? '') as unknown
  t.match(refused, { to: 'vault', forwarded: false, error: 'E_CAP_DENIED', message: /send:vault/ })
  t.equal(agent.onMessage(envelope({}, { kind: 'reply', replyTo: 'r-unknown' })), undefined)
  t.match(host.logs.at(-1), ['warn', /r-unknown/])

  // An asker it may not send to: the reply is dropped with a warning, the relay goes on.
  t.match(JSON.parse(agent.onMessage(envelope({ to: 'counter', payload: 3 }, { from: 'stranger' })) ?? ''), { forwarded: true, requestId: 'r3' })
  t.equal(agent.onMessage(envelope(3, { kind: 'reply', from: 'counter', replyTo: 'r3' })), undefined)
  t.match(host.logs.at(-1), ['warn', /could not relay the reply to stranger: E_CAP_DENIED/])
  t.has(JSON.parse(agent.onMessage(envelope({})) ?? ''), { pending: 0, relayed: 1 })
})
