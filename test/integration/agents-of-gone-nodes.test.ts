// The agents of a node that left stay known: two real mesh nodes in this process; b runs an
// agent and leaves. `agent list` on a shows it as unavailable with what happened to b, a send
// to it fails naming b and what to do, and a deploy of its id says whose it is.
import '../helpers/esm-js-hook.js'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { buildFixtureAgent } from '../helpers/agents.js'
import { until } from '../helpers/until.js'

// after the hook: these load libp2p (see esm-js-hook.ts)
const { initCluster, joinCluster } = await import('../../src/runtime/mesh/auth/index.js')
const { createNode } = await import('../../src/runtime/node/index.js')

t.setTimeout(120_000)

t.test('an agent whose node left is listed as unavailable, and its errors say which node and what to do', async (t) => {
  const probe = await buildFixtureAgent('probe')
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-gone-node-'))
  t.teardown(() => rm(tmp, { recursive: true, force: true }))
  const [dirA, dirB] = [path.join(tmp, 'a'), path.join(tmp, 'b')]
  const { joinToken } = await initCluster(dirA)
  await joinCluster(dirB, joinToken)
  const a = await createNode({}, { dataDir: dirA, workers: 1, mesh: { host: '127.0.0.1', port: 0, name: 'a', heartbeatMs: 200 } })
  t.teardown(() => a.stop())
  const b = await createNode({}, { dataDir: dirB, workers: 1, mesh: { host: '127.0.0.1', port: 0, name: 'b', heartbeatMs: 200, join: [a.mesh!.addrs[0]] } })
  const cluster = a.mesh!.cluster
  await until('a to see b alive', () => cluster.peers().some((p) => p.name === 'b' && p.state === 'alive'), 20_000)
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
  t.match(await cluster.deploy({ bytes: probe.bytes, manifest: probe.manifest, name: 'kept', replace: true }), [{ agent: 'kept', nodeName: 'a', epoch: 2, replaced: { nodeName: 'b', stateKept: false } }],
    '--replace runs it elsewhere, from a clean state')
  t.match(await cluster.listAgents(), { agents: [{ id: 'kept', nodeName: 'a' }], unavailable: [] })
})
