// An agent's log lines on its node: a long poll answers at the first new line, not on a timer.
import t from 'tap'
import { EventBus, type Kernel, type KernelEvent } from '../../../src/runtime/kernel/index.js'
import { AgentLogs } from '../../../src/runtime/cluster/agent-logs.js'

function setup (): { logs: AgentLogs, log: (agent: string, message: string) => void } {
  const events = new EventBus<KernelEvent>()
  const logs = new AgentLogs({ events } as unknown as Kernel)
  return { logs, log: (agent, message) => events.emit({ name: 'kernel:agent:log', agent, level: 'info', message }) }
}

t.test('lines already there come back at once', async (t) => {
  const { logs, log } = setup()
  log('a', 'one')
  log('b', 'other agent')
  log('a', 'two')
  t.same((await logs.wait('a', 0, 10_000)).map((l) => l.message), ['one', 'two'])
  const [first] = logs.get('a')
  t.same((await logs.wait('a', first?.seq ?? 0, 10_000)).map((l) => l.message), ['two'], 'after a seq: only newer lines')
})

t.test('with nothing new, the answer waits for the next line of that agent', async (t) => {
  const { logs, log } = setup()
  const waiting = logs.wait('a', 0, 60_000)
  log('b', 'not for a')
  log('a', 'news')
  t.same((await waiting).map((l) => l.message), ['news'], 'answered by the line, long before the 60 s wait')
})

t.test('a wait ends empty at its time limit, or when the asker goes away', async (t) => {
  const { logs } = setup()
  t.same(await logs.wait('a', 0, 20), [])
  const asker = new AbortController()
  const waiting = logs.wait('a', 0, 60_000, asker.signal)
  asker.abort()
  t.same(await waiting, [])
})
