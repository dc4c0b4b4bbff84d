// `agent list` on a real mesh node when other members do not answer: one whose node protocol
// hangs (a timeout) and one that does not serve it at all. The list keeps the agents of the
// nodes that answered and names each node that did not, with why.
import '../helpers/esm-js-hook.js'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { buildFixtureAgent } from '../helpers/agents.js'
import { until } from '../helpers/until.js'

// after the hook: these load libp2p (see esm-js-hook.ts)
const { initCluster, loadCluster } = await import('../../src/runtime/mesh/auth/index.js')
const { Mesh, createMembership } = await import('../../src/runtime/mesh/index.js')
const { createNode } = await import('../../src/runtime/node/index.js')
const { NODE_PROTOCOL, nodeSchema } = await import('../../src/runtime/cluster/index.js')

t.test('a node that does not answer is named, and the agents of the others are kept', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mielin-agent-list-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const probe = await buildFixtureAgent('probe')
  await initCluster(dir)
  const node = await createNode({}, { dataDir: dir, workers: 1, mesh: { host: '127.0.0.1', port: 0, name: 'lister', heartbeatMs: 200 } })
  t.teardown(() => node.stop())
  await node.deployFile(probe.file)
  const cluster = node.mesh!.cluster
  const { clusterKey } = await loadCluster(dir)

  /** A member of the cluster that beats like any node but answers node requests with `serve`. */
  const member = async (name: string, serve?: 'hang'): Promise<void> => {
    const mesh = new Mesh({}, { privateKey: await generateKeyPair('Ed25519'), clusterKey, host: '127.0.0.1', port: 0, transports: ['tcp'] })
    // a node that stopped answering: the request is taken and never answered while the node lives
    if (serve === 'hang') await mesh.handle(NODE_PROTOCOL, nodeSchema, async (_f, ctx) => await new Promise((resolve) => { ctx.signal.addEventListener('abort', () => resolve({})) }))
    await mesh.start()
    const membership = createMembership({ mesh }, { name, intervalMs: 200 })
    await membership.start()
    t.teardown(async () => { await membership.stop(); await mesh.stop() })
    await mesh.dial(node.mesh!.addrs[0])
  }
  await member('stuck', 'hang')
  await member('old') // serves no node protocol
  await until('both to be alive members', () => cluster.peers().filter((p) => p.state === 'alive').length === 3, 15_000)

  const started = Date.now()
  const list = await cluster.listAgents()
  t.match(list.agents, [{ id: 'probe', nodeName: 'lister' }], 'the agents of the node that answered')
  const why = Object.fromEntries(list.unreachable.map((u) => [u.nodeName, u.error]))
  t.same(Object.keys(why).sort(), ['old', 'stuck'], 'each node that did not answer, by name')
  t.match(why.stuck, { code: 'E_MESH_TIMEOUT', message: /did not answer .* within 5000 ms/ })
  t.match(why.old, { code: 'E_PROTOCOL_UNSUPPORTED', message: /does not serve \/mielin\/node/ })
  t.ok(Date.now() - started < 8000, 'one timeout, not one per node in turn')
})
