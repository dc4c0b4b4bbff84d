// Answers to messages: a client waiting on a request hears the reply once its state is
// stored, an agent that asked gets a reply envelope, and failures reach whoever waits.
import t from 'tap'
import { defaultLogger } from '../../../src/runtime/logger.js'
import { AgentUnavailableError, EventBus, type KernelEvent } from '../../../src/runtime/kernel/index.js'
import { PendingReplies } from '../../../src/runtime/kernel/pending-replies.js'
import { agentErrorCode, Replies } from '../../../src/runtime/kernel/replies.js'
import { Routing } from '../../../src/runtime/kernel/routing.js'
import type { Envelope } from '../../../src/runtime/types/index.js'
import { envelope } from '../../helpers/kernel-records.js'

function replies (): { replies: Replies, pending: PendingReplies, routed: Envelope[], logs: KernelEvent[] } {
  const pending = new PendingReplies()
  const events = new EventBus<KernelEvent>()
  const logs: KernelEvent[] = []
  events.on((e) => logs.push(e))
  const routed: Envelope[] = []
  // replies to agents leave through a real router: the asking agent is on "another node"
  const routing = new Routing({ agents: new Map(), components: { router: (e) => routed.push(e) }, events, pending, dispatch: { kick: () => {} } })
  return { replies: new Replies({ pending, routing, events, log: defaultLogger('test') }), pending, routed, logs }
}

t.test('a client\'s request is answered only once the state behind the answer is stored', async (t) => {
  const { replies: r, pending } = replies()
  const e = envelope('bob')
  let answered: string | undefined
  const waiting = pending.wait(e.id, undefined, () => new Error('timeout')).then((v) => { answered = v })
  let stored!: () => void
  r.answer(e, { ok: '{"count":1}' }, new Promise<void>((resolve) => { stored = resolve }))
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(answered, undefined, 'not before the checkpoint is written')
  stored()
  await waiting
  t.equal(answered, '{"count":1}')
})

t.test('a client\'s request that the agent refused rejects with E_AGENT_ERROR', async (t) => {
  const { replies: r, pending } = replies()
  const e = envelope('bob')
  const waiting = pending.wait(e.id, undefined, () => new Error('timeout'))
  r.answer(e, { err: 'no such thing' })
  await t.rejects(waiting, { code: 'E_AGENT_ERROR', message: 'Agent "bob" returned an error: no such thing', suggestions: [/handler of "bob" threw/] })
})

t.test('an agent\'s own error code reaches the client as that code', async (t) => {
  const { replies: r, pending } = replies()
  const e = envelope('shop')
  const waiting = pending.wait(e.id, undefined, () => new Error('timeout'))
  r.answer(e, { err: 'E_OUT_OF_STOCK: only 1 left' })
  await t.rejects(waiting, { code: 'E_OUT_OF_STOCK', message: 'Agent "shop" returned an error: E_OUT_OF_STOCK: only 1 left', suggestions: [/E_OUT_OF_STOCK is the answer of "shop"/] })
  const plain = envelope('shop')
  const failed = pending.wait(plain.id, undefined, () => new Error('timeout'))
  r.answer(plain, { err: 'E_AGENT_ERROR: TypeError: x is not a function' })
  await t.rejects(failed, { code: 'E_AGENT_ERROR' }, 'a plain error the SDK wrapped stays E_AGENT_ERROR')
})

t.test('the code of an agent\'s error text', async (t) => {
  t.equal(agentErrorCode('E_OUT_OF_STOCK: only 1 left'), 'E_OUT_OF_STOCK')
  t.equal(agentErrorCode('E_AGENT_ERROR: Error: boom'), 'E_AGENT_ERROR')
  t.equal(agentErrorCode('too big'), 'E_AGENT_ERROR', 'no code: the agent\'s error')
  t.equal(agentErrorCode('out-of-stock: none'), 'E_AGENT_ERROR', 'not a code')
  t.equal(agentErrorCode('e_lower: none'), 'E_AGENT_ERROR')
  t.equal(agentErrorCode(`E_${'X'.repeat(63)}: long`), 'E_AGENT_ERROR', 'longer than a code may be on the wire')
})

t.test('an agent\'s request gets a reply envelope from the agent it asked', async (t) => {
  const { replies: r, routed } = replies()
  const ok = envelope('bob', 'request', { from: 'alice', id: 'q1' })
  const bad = envelope('bob', 'request', { from: 'alice', id: 'q2' })
  r.answer(ok, { ok: '{"sum":3}' })
  r.answer(bad, { err: 'too big' })
  r.answer(envelope('bob', 'request', { from: 'alice' }), { ok: undefined } as never)
  r.answer(envelope('bob', 'request', { from: 'alice' }), { err: 'E_TOO_BIG: 3 > 2' })
  t.match(routed[0], { from: 'bob', to: 'alice', kind: 'reply', replyTo: 'q1', payload: '{"sum":3}' })
  t.same(JSON.parse(routed[1].payload), { error: { code: 'E_AGENT_ERROR', message: 'too big' } })
  t.equal(routed[1].replyTo, 'q2')
  t.equal(routed[2].payload, 'null', 'no reply is a JSON null')
  t.same(JSON.parse(routed[3].payload), { error: { code: 'E_TOO_BIG', message: 'E_TOO_BIG: 3 > 2' } }, 'the agent\'s own code')
})

t.test('a one-way message gets no reply; its error is logged for its agent', async (t) => {
  const { replies: r, routed, logs } = replies()
  r.answer(envelope('bob', 'message'), { ok: '{}' })
  r.answer(envelope('bob', 'message', { id: 'm-x' }), { err: 'bad input' })
  r.fail(envelope('bob', 'message'), new Error('agent stopped'))
  t.same(routed, [])
  t.match(logs, [
    { name: 'kernel:agent:log', agent: 'bob', level: 'error', message: 'handling message m-x: bad input' },
    { name: 'kernel:agent:log', agent: 'bob', level: 'error', message: 'agent stopped' }
  ])
})

t.test('a failed request: the client gets the error itself, an agent gets it as an error reply', async (t) => {
  const { replies: r, pending, routed } = replies()
  const e = envelope('bob')
  const waiting = pending.wait(e.id, undefined, () => new Error('timeout'))
  const err = Object.assign(new Error('Agent "bob" was stopped.'), { code: 'E_AGENT_UNAVAILABLE' })
  r.fail(e, err)
  await t.rejects(waiting, err)
  r.fail(envelope('bob', 'request', { from: 'alice' }), new Error('gone'))
  t.match(JSON.parse(routed[0].payload), { error: { code: 'E_HOST', message: 'E_HOST: gone' } })
  r.fail(envelope('bob', 'request', { from: 'alice' }), new AgentUnavailableError('Agent "bob" was stopped.'))
  t.match(JSON.parse(routed[1].payload), { error: { code: 'E_AGENT_UNAVAILABLE', message: 'E_AGENT_UNAVAILABLE: Agent "bob" was stopped.' } }, 'with the code the client would get')
})

t.test('pending replies: a timeout, "null" as no reply, and all rejected when the node stops', async (t) => {
  const pending = new PendingReplies()
  await t.rejects(pending.wait('a', 10, () => new Error('no reply in time')), /no reply in time/)
  t.notOk(pending.has('a'), 'forgotten after its timeout')
  const none = pending.wait('b', undefined, () => new Error('x'))
  pending.settle('b', 'null')
  t.equal(await none, undefined)
  const c = pending.wait('c', 1000, () => new Error('x'))
  pending.rejectAll(new Error('shutting down'))
  await t.rejects(c, /shutting down/)
  pending.settle('unknown', '{}') // ignored
})

t.test('an agent cannot answer with a code callers take as the runtime\'s own', async (t) => {
  const { agentErrorCode } = await import('../../../src/runtime/kernel/replies.js')
  t.equal(agentErrorCode('E_OUT_OF_STOCK: only 0 left'), 'E_OUT_OF_STOCK')
  for (const code of ['E_INTERNAL', 'E_AGENT_NOT_FOUND', 'E_NODE_DEAD', 'E_MESH_TIMEOUT', 'E_STREAM_CLOSED', 'E_TOKEN_EXPIRED']) {
    t.equal(agentErrorCode(`${code}: pretend`), 'E_AGENT_ERROR', code)
  }
})
