// The SDK without WebAssembly: bindAgent makes the world's exports from a definition, and
// the stub host stands in for the node (as the generated entry passes the real imports).
import t from 'tap'
import { AgentError, AgentHostError, defineAgent, type AgentContext, type Message } from '../../../src/sdk/agent.js'
import { bindAgent } from '../../../src/sdk/world.js'
import { envelope, failure, stubHost, type StubHost } from '../../helpers/agent-stub-host.js'

const bind = (agent: unknown, host: StubHost = stubHost()): ReturnType<typeof bindAgent> => bindAgent(agent, host.imports)
const counter = defineAgent({
  initialState: () => ({ count: 0 }),
  onMessage (msg: Message<{ n?: number }>, ctx) {
    ctx.state.count += msg.payload?.n ?? 1
    return { count: ctx.state.count }
  }
})

t.test('replies are the handler\'s return value as JSON; undefined is no reply', async (t) => {
  const world = bind(counter)
  world.init(undefined)
  t.equal(world.onMessage(envelope({ n: 2 })), '{"count":2}')
  t.equal(world.onMessage(envelope({})), '{"count":3}')
  const quiet = bind(defineAgent({ onMessage () {} }))
  quiet.init()
  t.equal(quiet.onMessage(envelope({})), undefined)
})

t.test('on-batch answers each message in order, as on-message would; a failing one does not stop the rest', async (t) => {
  const world = bind(defineAgent({
    initialState: () => ({ count: 0 }),
    onMessage (msg: Message<{ n?: number, fail?: string }>, ctx) {
      if (msg.payload?.fail !== undefined) throw new AgentError('E_NO', msg.payload.fail)
      ctx.state.count += msg.payload?.n ?? 1
      return msg.payload?.n === 0 ? undefined : { count: ctx.state.count }
    }
  }))
  world.init()
  let thrown: unknown
  try { bind(defineAgent({ onMessage () { throw new AgentError('E_NO', 'no') } })).onMessage(envelope({})) } catch (err) { thrown = err }
  const out = world.onBatch([envelope({}), envelope({ fail: 'no' }), envelope({ n: 0 }), envelope({ n: 5 })])
  t.same(out.results, [
    { tag: 'ok', val: '{"count":1}' },
    { tag: 'err', val: thrown },
    { tag: 'ok', val: undefined },
    { tag: 'ok', val: '{"count":6}' }
  ])
  t.same(JSON.parse(new TextDecoder().decode(out.state)), { v: 1, state: { count: 6 } })
  t.same(world.onBatch([]).results, [])
})

t.test('on-batch returns the state only when the node does not have it already', async (t) => {
  const world = bind(counter)
  world.init()
  t.ok(world.onBatch([envelope({ n: 0 })]).state, 'a fresh agent\'s first state is handed over even if unchanged')
  t.equal(world.onBatch([envelope({ n: 0 })]).state, undefined, 'no change: no state')
  const changed = world.onBatch([envelope({ n: 2 })]).state
  t.same(JSON.parse(new TextDecoder().decode(changed)), { v: 1, state: { count: 2 } })
  t.equal(world.onBatch([]).state, undefined)

  const resumed = bind(counter)
  resumed.init(changed)
  t.equal(resumed.onBatch([envelope({ n: 0 })]).state, undefined, 'started from a snapshot, the node has that one')
  resumed.onMessage(envelope({ n: 1 }))
  t.same(JSON.parse(new TextDecoder().decode(resumed.onMigrate())), { v: 1, state: { count: 3 } })
  t.equal(resumed.onBatch([envelope({ n: 0 })]).state, undefined, 'on-migrate handed the state over too')
})

t.test('the handler sees a parsed message', async (t) => {
  let seen: Message | undefined
  const world = bind(defineAgent({ onMessage (msg) { seen = msg } }))
  world.init()
  world.onMessage(envelope({ a: [1] }, { id: 'm-7', from: 'other', seq: 7n, kind: 'reply', replyTo: 'r-1', trace: '00-abc' }))
  t.same(seen, { id: 'm-7', from: 'other', kind: 'reply', seq: 7, payload: { a: [1] }, replyTo: 'r-1', trace: '00-abc' })
  t.equal(typeof seen?.seq, 'number', 'u64 seq becomes a number')
  world.onMessage(envelope(null, { payload: 'not json' }))
  t.equal(seen?.payload, 'not json', 'a payload that is not JSON arrives as its text')
  t.notOk('replyTo' in (seen ?? {}), 'no replyTo key when the envelope has none')
})

t.test('state survives on-migrate → init, and onStart sees it', async (t) => {
  const started: number[] = []
  let initialStates = 0
  const agent = defineAgent({
    initialState: () => { initialStates++; return { count: 0 } },
    onStart (ctx) { started.push(ctx.state.count) },
    onMessage (_msg, ctx) { ctx.state.count++; return ctx.state.count }
  })
  const first = bind(agent)
  first.init()
  first.onMessage(envelope({}))
  first.onMessage(envelope({}))
  const snapshot = first.onMigrate()
  t.ok(snapshot instanceof Uint8Array)
  t.same(JSON.parse(new TextDecoder().decode(snapshot)), { v: 1, state: { count: 2 } })

  const second = bind(agent)
  second.init(snapshot)
  t.equal(second.onMessage(envelope({})), '3', 'the count continues')
  t.same(started, [0, 2])
  t.equal(initialStates, 1, 'initialState is not called when resuming')

  const replaced = bind(defineAgent({ onMessage (_m, ctx) { ctx.state = { fresh: true }; return ctx.state } }))
  replaced.init(new Uint8Array())
  t.equal(replaced.onMessage(envelope({})), '{"fresh":true}', 'ctx.state can be replaced; empty saved state counts as none')
  t.same((JSON.parse(new TextDecoder().decode(replaced.onMigrate())) as { state: unknown }).state, { fresh: true })
})

t.test('every failure leaves an export as a coded string, never an Error', async (t) => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['TypeError', () => { throw new TypeError('x is not a function') }, /^E_AGENT_ERROR: TypeError: x is not a function$/],
    ['AgentError', () => { throw new AgentError('E_BAD_INPUT', 'n must be a number') }, /^E_BAD_INPUT: n must be a number$/],
    ['coded string', () => { throw 'E_MINE: as is' }, /^E_MINE: as is$/], // eslint-disable-line @typescript-eslint/only-throw-error
    ['plain string', () => { throw 'oops' }, /^E_AGENT_ERROR: oops$/], // eslint-disable-line @typescript-eslint/only-throw-error
    ['object', () => { throw { why: 1 } }, /^E_AGENT_ERROR: \{"why":1\}$/], // eslint-disable-line @typescript-eslint/only-throw-error
    ['promise', async () => 1, /^E_AGENT_ASYNC: onMessage returned a Promise/],
    ['reply that is not JSON', () => ({ big: 1n }), /^E_AGENT_ERROR: TypeError: the reply is not JSON-serialisable/]
  ]
  for (const [name, onMessage, expected] of cases) {
    const world = bind(defineAgent({ onMessage }))
    world.init()
    let thrown: unknown
    try { world.onMessage(envelope({})) } catch (err) { thrown = err }
    t.equal(typeof thrown, 'string', `${name}: thrown as a string`)
    t.match(thrown, expected, name)
  }
  t.match(failure(() => bind(defineAgent({ initialState: () => { throw new RangeError('no') }, onMessage () {} })).init()), /^E_AGENT_ERROR: RangeError: no$/, 'init fails with the error string')
  t.match(failure(() => bind({ hello: 1 }).init()), /^E_AGENT_EXPORTS: .*export default defineAgent/, 'a default export that is not an agent')
  t.match(failure(() => bind(counter).init(new TextEncoder().encode('{"v":9}'))), /^E_AGENT_STATE: .*format 9/)
  t.match(failure(() => bind(counter).init(new TextEncoder().encode('garbage'))), /^E_AGENT_STATE: .*not JSON/)
})

t.test('state that cannot be saved fails on-migrate loudly, and says why in the log', async (t) => {
  const host = stubHost()
  const world = bind(defineAgent({ initialState: () => ({ n: 1n }), onMessage () {} }), host)
  world.init()
  t.match(failure(() => world.onMigrate()), /ctx\.state is not JSON-serialisable/)
  t.match(host.logs.at(-1), ['error', /ctx\.state is not JSON-serialisable/])
})

t.test('host errors are AgentHostErrors with the host\'s code', async (t) => {
  const host = stubHost({ capabilities: ['log'] })
  let caught: unknown
  const world = bind(defineAgent({
    onMessage (_msg, ctx) {
      try { ctx.send('other', { hi: 1 }) } catch (err) { caught = err }
      ctx.kv.get('k') // not caught: fails the message with the host's code
    }
  }), host)
  world.init()
  t.match(failure(() => world.onMessage(envelope({}))), /^E_CAP_DENIED: this agent holds no "kv" capability$/)
  t.ok(caught instanceof AgentHostError)
  t.ok(caught instanceof AgentError)
  t.equal((caught as AgentHostError).code, 'E_CAP_DENIED')
  t.equal((caught as AgentHostError).message, 'E_CAP_DENIED: this agent holds no "send:other" capability')
  t.equal(new AgentHostError('no code here').code, 'E_HOST')
})

t.test('ctx: self, now, log, send, request, kv', async (t) => {
  const host = stubHost({ self: 'me-1' })
  const results: unknown[] = []
  const world = bind(defineAgent({
    onMessage (_msg, ctx: AgentContext) {
      results.push(ctx.self, ctx.now())
      ctx.log.info('hello', { a: 1 }, 2, new Error('boom'))
      ctx.log.debug('d'); ctx.log.warn('w'); ctx.log.error('e')
      results.push(ctx.send('b', { x: 1 }, { delegate: ['c'] }), ctx.request('c', [1, 2]))
      ctx.kv.set('user:1', { name: 'ada' })
      ctx.kv.set('user:2', 2)
      ctx.kv.set('other', true)
      results.push(ctx.kv.get('user:1'), ctx.kv.get('missing'), ctx.kv.keys('user:').sort(), ctx.kv.keys().length)
      ctx.kv.delete('user:2')
      results.push(ctx.kv.keys('user:'))
    }
  }), host)
  world.init()
  world.onMessage(envelope({}))
  t.same(results, ['me-1', 1_700_000_000_000, 'm1', 'r2', { name: 'ada' }, undefined, ['user:1', 'user:2'], 3, ['user:1']])
  t.same(host.logs, [['info', 'hello {"a":1} 2 Error: boom'], ['debug', 'd'], ['warn', 'w'], ['error', 'e']])
  t.same(host.outbox, [
    { kind: 'message', id: 'm1', to: 'b', payload: { x: 1 }, delegate: ['c'] },
    { kind: 'request', id: 'r2', to: 'c', payload: [1, 2] }
  ])
  t.equal(host.store.get('user:1'), '{"name":"ada"}', 'kv values are stored as JSON')
})

t.test('ctx.tensor wraps host handles; tidy frees what it does not return', async (t) => {
  const host = stubHost()
  const out: unknown[] = []
  const world = bind(defineAgent({
    onMessage (_msg, ctx) {
      const w = ctx.tensor.fromArray([[1, 0], [0, 2]])
      const y = ctx.tensor.tidy(() => {
        const x = ctx.tensor.fromArray([1, 2, 3, 4], [2, 2])
        return x.matmul(w).add(ctx.tensor.fromArray([10, 20])).relu()
      })
      out.push(y.read(), host.tensors.size)
      out.push(ctx.tensor.tidy(() => y.softmax().read().shape), host.tensors.size)
      out.push(...ctx.tensor.tidy(() => [y.transpose().read(), y.reshape([4]).read().shape, y.sum().read().data, y.mean().read().data]))
      out.push(failure(() => ctx.tensor.fromArray([1, 2, 3], [2, 2])))
      out.push(failure(() => ctx.tensor.fromArray([1], [-1])))
      const model = ctx.tensor.loadModel(new Uint8Array([1, 2, 3]))
      const outputs = ctx.tensor.tidy(() => model.run({ x: y }))
      out.push(Object.keys(outputs), outputs.x?.read().data, [...host.models.values()].map((b) => [...b]))
      outputs.x?.dispose(); y.dispose(); w.dispose()
    }
  }), host)
  world.init()
  world.onMessage(envelope({}))
  t.same(out[0], { data: [11, 24, 13, 28], shape: [2, 2] }, 'x·w + b, relu')
  t.equal(out[1], 2, 'only w and the returned y are alive after tidy')
  t.same(out[2], [2, 2])
  t.equal(out[3], 2, 'a tidy that returns plain data frees every tensor it made')
  t.same(out[4], { data: [11, 13, 24, 28], shape: [2, 2] })
  t.same(out[5], [4])
  t.same(out[6], [76])
  t.same(out[7], [19])
  t.match(out[8], /^E_TENSOR_SHAPE: shape \[2, 2\] holds 4 values but 3 were given/)
  t.match(out[9], /^E_TENSOR_SHAPE: a shape holds whole numbers/)
  t.same(out[10], ['x'])
  t.same(out[11], [11, 24, 13, 28])
  t.same(out[12], [[1, 2, 3]], 'model bytes reach the host')
  t.equal(host.tensors.size, 0, 'nothing leaks')
})

t.test('defineAgent keeps the definition and stamps the SDK version', async (t) => {
  t.equal(counter.sdkVersion, '0.1.0')
  t.type(counter.onMessage, 'function')
  t.type(counter.initialState, 'function')
})
