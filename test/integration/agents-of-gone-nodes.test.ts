// The agents of a node that left stay known: two real mesh nodes in this process; b runs an
// agent and leaves. `agent list` on a shows it as unavailable with what happened to b, a send
// to it fails naming b and what to do, and a deploy of its id says whose it is.
import '../helpers/esm-js-hook.js'
import t from 'tap'
import { buildFixtureAgent } from '../helpers/agents.js'
import { meshNodes } from '../helpers/mesh-nodes.js'
import { until } from '../helpers/until.js'

t.setTimeout(120_000)

t.test('an agent whose node left is listed as unavailable, and its errors say which node and what to do', async (t) => {
  const probe = await buildFixtureAgent('probe')
  const { a, b } = await meshNodes(t, ['a', 'b'])
  const cluster = a.mesh!.cluster
  await cluster.deploy({ bytes: probe.bytes, manifest: probe.manifest, name: 'kept', node: 'b' })
  await until('b\'s heartbeat to carry its agent', () => cluster.peers().some((p) => p.name === 'b' && p.load.agents === 1), 10_000)

  await b.stop() // leaves gracefully: its last beat says so
  await until('a to see b leave', () => cluster.peers().some((p) => p.name === 'b' && p.state === 'left'), 10_000)

  const list = await cluster.listAgents()
  t.same(list.agents, [])
  t.match(list.unavailable, [{ id: 'kept', nodeName: 'b', why: { code: 'E_NODE_LEFT', message: /^node b left \d+ s ago$/ } }])
  t.same(list.unreachable, [], 'a node that left on purpose is not missed')

  await t.rejects(cluster.request('cli:test', 'kept', '{"op":"count"}', 5000), {
    code: 'E_NODE_LEFT', message: /^Agent "kept" is unavailable: node b left \d+ s ago\.$/, suggestions: [/mesh start/, /--replace/]
  })
  await t.rejects(cluster.deploy({ bytes: probe.bytes, manifest: probe.manifest, name: 'kept', node: 'a' }), {
    code: 'E_AGENT_EXISTS', message: /belongs to node b, which left: it is unavailable, not free/
  })
  await t.rejects(cluster.deploy({ bytes: probe.bytes, manifest: probe.manifest, name: 'kept', replace: true, namespace: 'other' }), {
    code: 'E_INVALID_ARG', message: /lives in namespace "default", not "other"/
  }, 'the namespace its node last gave still guards it: no taking over another tenant\'s id')
  t.match(await cluster.deploy({ bytes: probe.bytes, manifest: probe.manifest, name: 'kept', replace: true }), [{ agent: 'kept', nodeName: 'a', epoch: 2, replaced: { nodeName: 'b', stateKept: false } }],
    '--replace runs it elsewhere, from a clean state')
  t.match(await cluster.listAgents(), { agents: [{ id: 'kept', nodeName: 'a' }], unavailable: [] })
})
