// An agent's log lines on its node, and following them: each new line reaches the follower as
// it is logged (no timer), and a follower that stops is let go.
import t from 'tap'
import { EventBus, type Kernel, type KernelEvent } from '../../../src/runtime/kernel/index.js'
import { AgentLogs } from '../../../src/runtime/cluster/agent-logs.js'

function setup (): { logs: AgentLogs, log: (agent: string, message: string) => void } {
  const events = new EventBus<KernelEvent>()
  const logs = new AgentLogs({ events } as unknown as Kernel)
  return { logs, log: (agent, message) => { events.emit({ name: 'kernel:agent:log', agent, level: 'info', message }) } }
}

t.test('the lines of one agent, after a sequence number', async (t) => {
  const { logs, log } = setup()
  log('a', 'one')
  log('b', 'other agent')
  log('a', 'two')
  t.same(logs.get('a').map((l) => l.message), ['one', 'two'])
  const [first] = logs.get('a')
  t.same(logs.get('a', first?.seq).map((l) => l.message), ['two'], 'after a seq: only newer lines')
})

t.test('following: the lines there, then each new line of that agent as it comes, until the follower stops', async (t) => {
  const { logs, log } = setup()
  log('a', 'old')
  const follower = new AbortController()
  const it = logs.follow('a', 0, follower.signal)[Symbol.asyncIterator]()
  t.equal((await it.next()).value?.message, 'old')
  const next = it.next()
  log('b', 'not for a')
  log('a', 'news')
  t.equal((await next).value?.message, 'news', 'the new line, as soon as it is logged')
  const waiting = it.next()
  follower.abort()
  t.same(await waiting, { done: true, value: undefined }, 'a stopped follower is let go')
})
