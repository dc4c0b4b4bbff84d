// After a batch: every message gets an answer, a trap or a lost worker restarts the agent
// under its policy, and what did not run runs again (once) or fails with a reason.
import t from 'tap'
import { defaultLogger } from '../../../src/runtime/logger.js'
import { EventBus, type KernelEvent } from '../../../src/runtime/kernel/index.js'
import type { Agent } from '../../../src/runtime/kernel/agent.js'
import { Recovery } from '../../../src/runtime/kernel/recovery.js'
import { WorkerLostError, type MessageResult } from '../../../src/runtime/wasm/index.js'
import type { Envelope } from '../../../src/runtime/types/index.js'
import { agentRecord, envelope } from '../../helpers/kernel-records.js'

interface Seen { answered: Array<[string, MessageResult]>, failed: Array<[string, string]>, started: string[], events: KernelEvent[], kicked: string[] }

function recovery (agents: Agent[], startFails = false): { recovery: Recovery, seen: Seen } {
  const seen: Seen = { answered: [], failed: [], started: [], events: [], kicked: [] }
  const events = new EventBus<KernelEvent>()
  events.on((e) => seen.events.push(e))
  const r = new Recovery({
    agents: new Map(agents.map((a) => [a.id, a])),
    components: {},
    maxRestarts: 5,
    dispatch: {
      kick: (a) => seen.kicked.push(a.id),
      replaySingly: (a, batch) => { a.mailbox.unshift(batch); a.singleStep = batch.length },
      reset: () => {}
    },
    lifecycle: {
      start: async (a) => {
        if (startFails) throw new Error('init refused its state')
        seen.started.push(a.id)
        a.status = 'running'
      }
    },
    replies: {
      answer: (e, r) => seen.answered.push([e.id, r]),
      fail: (e, err) => seen.failed.push([e.id, (err as Error & { code: string }).code])
    },
    events,
    log: defaultLogger('test')
  })
  return { recovery: r, seen }
}

const batchOf = (to: string, n: number): Envelope[] => Array.from({ length: n }, () => envelope(to))
const until = async (cond: () => boolean): Promise<void> => { while (!cond()) await new Promise((resolve) => setImmediate(resolve)) }

t.test('a batch that ran: every message answered, the state kept, the work counted', async (t) => {
  const a = agentRecord('a')
  const { recovery: r, seen } = recovery([a])
  const batch = batchOf('a', 3)
  const state = Uint8Array.of(7)
  r.delivered(a, batch, { results: [{ ok: '1' }, { ok: '2' }, { err: 'no' }], state, cpuMs: 1, memoryBytes: 0 })
  t.same(seen.answered.map(([id]) => id), batch.map((e) => e.id))
  t.equal(a.processed, 3)
  t.equal(a.checkpoint, state)
  t.same(seen.events, [], 'no restart')
})

t.test('one message trapped alone: it fails, the rest go back in order, the agent restarts from its checkpoint', async (t) => {
  const a = agentRecord('a')
  const { recovery: r, seen } = recovery([a])
  const batch = batchOf('a', 4)
  r.delivered(a, batch, { results: [{ ok: '1' }], trap: 'unreachable', cpuMs: 1, memoryBytes: 0 })
  t.same(seen.failed, [[batch[1].id, 'E_AGENT_FAILED']])
  t.same(a.mailbox.take(10).map((e) => e.id), [batch[2].id, batch[3].id])
  await until(() => seen.started.length > 0)
  t.match(seen.events, [{ name: 'kernel:agent:failed', agent: 'a', reason: 'trapped: unreachable', willRestart: true }])
  t.same(seen.kicked, ['a'], 'its queue runs again after the restart')
})

t.test('a trap that ran out of memory fails its message with E_QUOTA', async (t) => {
  const a = agentRecord('a', { limits: { memoryMb: 32 } as never })
  const { recovery: r, seen } = recovery([a])
  const batch = batchOf('a', 1)
  r.delivered(a, batch, { results: [], trap: 'RuntimeError: memory limit reached', cpuMs: 1, memoryBytes: 0 })
  t.same(seen.failed, [[batch[0].id, 'E_QUOTA']])
})

t.test('a trap somewhere in a batch: the whole batch is replayed one by one, nothing fails yet', async (t) => {
  const a = agentRecord('a')
  const { recovery: r, seen } = recovery([a])
  const batch = batchOf('a', 3)
  r.delivered(a, batch, { results: [], trap: 'unreachable', replay: true, cpuMs: 1, memoryBytes: 0 })
  t.same(seen.failed, [])
  t.equal(a.mailbox.size, 3)
  t.equal(a.singleStep, 3)
})

t.test('an agent that may not restart is marked failed and what it had queued fails', async (t) => {
  const a = agentRecord('a', { restart: 'never' })
  const { recovery: r, seen } = recovery([a])
  const batch = batchOf('a', 3)
  r.delivered(a, batch, { results: [], trap: 'unreachable', cpuMs: 1, memoryBytes: 0 })
  await until(() => a.status === 'failed')
  t.same(seen.failed.map(([, code]) => code), ['E_AGENT_FAILED', 'E_AGENT_UNAVAILABLE', 'E_AGENT_UNAVAILABLE'])
  t.match(seen.events, [{ name: 'kernel:agent:failed', willRestart: false }])
  t.equal(seen.started.length, 0)
})

t.test('a lost worker: a waiting batch runs later, a lone running message missed its deadline', async (t) => {
  const a = agentRecord('a', { limits: { deadlineMs: 250 } as never })
  const { recovery: r, seen } = recovery([a])
  const waiting = batchOf('a', 2)
  r.lost(a, waiting, new WorkerLostError(0, 'deadline', ['a'], false))
  t.same(a.mailbox.take(10).map((e) => e.id), waiting.map((e) => e.id))
  const lone = batchOf('a', 1)
  r.lost(a, lone, new WorkerLostError(0, 'deadline', ['a'], true))
  t.same(seen.failed, [[lone[0].id, 'E_DEADLINE']])
  const several = batchOf('a', 2)
  r.lost(a, several, new WorkerLostError(0, 'deadline', ['a'], true))
  t.equal(a.singleStep, 2, 'not known which overran: replayed one by one')
  t.throws(() => r.lost(a, [], new Error('a bug')), /a bug/, 'anything else is a bug and is not swallowed')
})

t.test('a lost worker while the agent is stopped: its messages fail with where to look', async (t) => {
  const a = agentRecord('a')
  a.status = 'stopped'
  const { recovery: r, seen } = recovery([a])
  a.mailbox.push(envelope('a'))
  r.lost(a, batchOf('a', 2), new WorkerLostError(0, 'crash', ['a'], false))
  t.same(seen.failed.map(([, code]) => code), ['E_AGENT_UNAVAILABLE', 'E_AGENT_UNAVAILABLE', 'E_AGENT_UNAVAILABLE'])
})

t.test('after stop, a lost batch is left alone (its agent resumes from its checkpoint next run)', async (t) => {
  const a = agentRecord('a')
  const { recovery: r, seen } = recovery([a])
  r.stop()
  r.lost(a, batchOf('a', 1), new WorkerLostError(0, 'the node is stopping', ['a']))
  t.same(seen.failed, [])
  t.equal(a.mailbox.size, 0)
})

t.test('a replaced worker: the runaway restarts under its policy, its neighbours reload quietly', async (t) => {
  const runaway = agentRecord('runaway')
  const neighbour = agentRecord('neighbour')
  const { recovery: r, seen } = recovery([runaway, neighbour])
  r.workerReplaced(0, 'agent "runaway" ran past its 300 ms deadline', ['runaway', 'neighbour', 'left-meanwhile'])
  await until(() => seen.started.length === 2)
  t.same(seen.started.sort(), ['neighbour', 'runaway'])
  t.same(seen.events.map((e) => e.name === 'kernel:agent:failed' ? `${e.name} ${e.agent}` : e.name), ['kernel:worker:replaced', 'kernel:agent:failed runaway'])
})

t.test('an agent that cannot start again is marked failed', async (t) => {
  const a = agentRecord('a')
  const { recovery: r, seen } = recovery([a], true)
  a.mailbox.push(envelope('a'))
  r.workerReplaced(0, 'worker crashed', ['a'])
  await until(() => a.status === 'failed')
  t.match(seen.events, [{ name: 'kernel:worker:replaced' }, { name: 'kernel:agent:failed', agent: 'a', reason: /init refused/, willRestart: false }])
  t.same(seen.failed.map(([, code]) => code), ['E_AGENT_UNAVAILABLE'])
})
