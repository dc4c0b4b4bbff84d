// Where an envelope goes: a hosted agent's mailbox, a migrated agent's new home, an outside
// client's listener, or the node's router; and what a sender hears when it goes nowhere.
import t from 'tap'
import { EventBus, Kernel, type KernelEvent } from '../../../src/runtime/kernel/index.js'
import type { Agent } from '../../../src/runtime/kernel/agent.js'
import { PendingReplies } from '../../../src/runtime/kernel/pending-replies.js'
import { Routing } from '../../../src/runtime/kernel/routing.js'
import { ComponentLoader } from '../../../src/runtime/wasm/index.js'
import type { Envelope } from '../../../src/runtime/types/index.js'
import { agentRecord, envelope } from '../../helpers/kernel-records.js'

const loader = new ComponentLoader({ cacheDir: '/nonexistent' }) // never used: these kernels deploy nothing

function routing (agents: Agent[], router?: (e: Envelope) => void): { routing: Routing, kicked: string[], events: KernelEvent[] } {
  const kicked: string[] = []
  const events: KernelEvent[] = []
  const bus = new EventBus<KernelEvent>()
  bus.on((e) => events.push(e))
  const r = new Routing({ agents: new Map(agents.map((a) => [a.id, a])), components: { router }, events: bus, pending: new PendingReplies(), dispatch: { kick: (a) => kicked.push(a.id) } })
  return { routing: r, kicked, events }
}

t.test('a message for a hosted agent lands in its mailbox, in order, and wakes its dispatcher', async (t) => {
  const bob = agentRecord('bob')
  const { routing: r, kicked, events } = routing([bob])
  const first = r.send('cli:me', 'bob', '{"n":1}')
  const second = r.send('cli:me', 'bob', '{"n":2}')
  t.same([first.seq, second.seq], [1n, 2n], 'per-sender sequence numbers from 1')
  t.same(bob.mailbox.take(10).map((e) => e.payload), ['{"n":1}', '{"n":2}'])
  t.same(kicked, ['bob', 'bob'])
  t.match(events, [{ name: 'kernel:message', from: 'cli:me', to: 'bob', kind: 'message' }, { name: 'kernel:message' }])
})

t.test('a migrated agent\'s messages are forwarded; a stopped one\'s are refused', async (t) => {
  const moved = agentRecord('moved')
  const forwarded: Envelope[] = []
  moved.forward = (e) => forwarded.push(e)
  const gone = agentRecord('gone')
  gone.status = 'stopped'
  const { routing: r } = routing([moved, gone])
  r.send('cli:me', 'moved', '{}')
  t.equal(forwarded.length, 1)
  t.equal(moved.mailbox.size, 0)
  t.throws(() => r.send('cli:me', 'gone', '{}'), { code: 'E_AGENT_UNAVAILABLE', message: /"gone" is stopped/ })
})

t.test('a full mailbox refuses the sender', async (t) => {
  const tiny = agentRecord('tiny', { limits: { mailbox: 1 } as never })
  const { routing: r } = routing([tiny])
  r.send('cli:me', 'tiny', '{}')
  t.throws(() => r.send('cli:me', 'tiny', '{}'), { code: 'E_MAILBOX_FULL' })
})

t.test('an id the kernel does not host goes to the router it was built with, read when it routes', async (t) => {
  const routed: Envelope[] = []
  const components = { loader, router: (e: Envelope) => { routed.push(e) } }
  const k = new Kernel(components, { workers: 1 })
  t.teardown(() => k.stop())
  k.send('cli:me', 'elsewhere', '{"hi":1}')
  t.match(routed, [{ from: 'cli:me', to: 'elsewhere', kind: 'message', payload: '{"hi":1}' }])
  const later: Envelope[] = []
  components.router = (e) => { later.push(e) }
  k.send('cli:me', 'elsewhere', '{}')
  t.equal(later.length, 1, 'the router in the components now is the one used')
})

t.test('without a router, an unknown id is refused with E_AGENT_NOT_FOUND', async (t) => {
  const k = new Kernel({ loader }, { workers: 1 })
  t.teardown(() => k.stop())
  t.throws(() => k.send('cli:me', 'nobody', '{}'), { code: 'E_AGENT_NOT_FOUND' })
  await t.rejects(k.request('cli:me', 'nobody', '{}'), { code: 'E_AGENT_NOT_FOUND' })
})

t.test('a request routed to another node resolves with the reply that comes back through accept', async (t) => {
  const k: Kernel = new Kernel({
    loader,
    // the "other node" answers at once, as the mesh would hand its reply back
    router: (e) => queueMicrotask(() => k.accept({ id: 'r1', from: e.to, to: e.from, seq: 1n, kind: 'reply', replyTo: e.id, payload: '{"pong":true}' }))
  }, { workers: 1 })
  t.teardown(() => k.stop())
  t.equal(await k.request('cli:me', 'remote', '{"ping":true}'), '{"pong":true}')
  await t.rejects(k.request('cli:me', 'remote', '{}', { signal: AbortSignal.abort() }), { code: 'E_ABORTED' })
})

t.test('an outside client\'s envelope goes to whoever listens for it, and is refused when nobody does', async (t) => {
  const { routing: r, events } = routing([])
  const e = envelope('cli:watcher', 'message')
  r.enqueue(e)
  t.match(events, [{ name: 'kernel:outbound', envelope: { to: 'cli:watcher' } }])
  const unheard = new Routing({ agents: new Map(), components: {}, events: new EventBus(), pending: new PendingReplies(), dispatch: { kick: () => {} } })
  t.throws(() => unheard.enqueue(envelope('cli:gone')), { code: 'E_AGENT_NOT_FOUND' })
})

t.test('accept refuses a malformed envelope before it reaches anyone', async (t) => {
  const bob = agentRecord('bob')
  const { routing: r } = routing([bob])
  t.throws(() => r.accept({ ...envelope('bob'), payload: 'not json' }), { code: 'E_BAD_MESSAGE' })
  t.throws(() => r.accept({ ...envelope('bob'), seq: 0n }), { code: 'E_BAD_MESSAGE' })
  t.equal(bob.mailbox.size, 0)
})
