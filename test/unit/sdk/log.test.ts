// ctx.log and console.* in an agent: one line of the agent's log per call, at the level the
// method names (console.log at info), parts joined the same way.
import t from 'tap'
import { defineAgent, type Message } from '../../../src/sdk/agent.js'
import { agentConsole, bindAgent } from '../../../src/sdk/world.js'
import { envelope, stubHost } from '../../helpers/agent-stub-host.js'

t.test('console.* writes to the agent\'s log at the level of each method', async (t) => {
  const host = stubHost()
  const agentsConsole = agentConsole(host.imports.host)
  agentsConsole.log('asked for', 2, { from: 'cli:run' })
  agentsConsole.info('info')
  agentsConsole.warn('low stock:', [1, 2])
  agentsConsole.error('failed', new RangeError('too many'))
  agentsConsole.debug('details', null, undefined)
  t.same(host.logs, [
    ['info', 'asked for 2 {"from":"cli:run"}'],
    ['info', 'info'],
    ['warn', 'low stock: [1,2]'],
    ['error', 'failed RangeError: too many'],
    ['debug', 'details null undefined']
  ])
})

t.test('console.* and ctx.log write the same lines', async (t) => {
  const host = stubHost()
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  const agent = defineAgent({
    onMessage (msg: Message<{ n: number }>, ctx) {
      ctx.log.warn('n =', msg.payload.n, cyclic)
      agentConsole(host.imports.host).warn('n =', msg.payload.n, cyclic)
    }
  })
  const world = bindAgent(agent, host.imports)
  world.init()
  world.onMessage(envelope({ n: 3 }))
  t.same(host.logs, [['warn', 'n = 3 [object Object]'], ['warn', 'n = 3 [object Object]']])
})

t.test('the methods it does not take over stay the engine\'s', async (t) => {
  const calls: unknown[][] = []
  const engine = { table: (...args: unknown[]) => { calls.push(args) }, log: (...args: unknown[]) => { calls.push(['not this one', ...args]) } }
  const agentsConsole = agentConsole(stubHost().imports.host, engine) as unknown as typeof engine
  agentsConsole.table([1])
  agentsConsole.log('x')
  t.same(calls, [[[1]]], 'table is the engine\'s; log is the agent\'s')
})
