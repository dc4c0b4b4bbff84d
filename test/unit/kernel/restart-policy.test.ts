// How often a failing agent may restart: at most N times in any minute, never with restart: never.
import t from 'tap'
import { claimRestart, type Agent } from '../../../src/runtime/kernel/agent.js'

const agent = (restart?: string): Agent => ({ restarts: [], manifest: { restart } }) as unknown as Agent

t.test('at most maxPerMinute restarts in a sliding minute', async (t) => {
  const a = agent()
  t.ok(claimRestart(a, 2, 0))
  t.ok(claimRestart(a, 2, 30_000))
  t.notOk(claimRestart(a, 2, 59_999), 'a third within the minute is refused')
  t.ok(claimRestart(a, 2, 60_001), 'the first one has aged out')
  t.same(a.restarts, [30_000, 60_001], 'only granted restarts are counted')
})

t.test('restart: never is never restarted', async (t) => {
  t.notOk(claimRestart(agent('never'), 5, 0))
})
