// Cluster queries over three nodes joined in memory: each node's part of an answer comes from
// its own node RPC, and a request about one agent runs on the node that has it.
import '../../helpers/esm-js-hook.js'
import t from 'tap'
import { UnavailableError } from '../../../src/runtime/errors.js'
import { defaultLogger } from '../../../src/runtime/logger.js'
import type { Member } from '../../../src/runtime/mesh/index.js'
import { agentKernel, blobStore, directoryOf, fixedLogs, member, membership, sharedDirectory } from '../../helpers/cluster-stubs.js'
import { FakeWire } from '../../helpers/fake-mesh.js'

// after the hook: the cluster's frames load the mesh, which loads libp2p (see esm-js-hook.ts)
const { ClusterQueries, Deployer, IdArbiter, IpcRouter, NODE_PROTOCOL, NodeRpc, NodesUnreachableError } = await import('../../../src/runtime/cluster/index.js')

/** Nodes named after their agents: `{ a: ['x'], b: ['y', 'z'] }`. */
async function cluster (agents: Record<string, string[]>) {
  const wire = new FakeWire()
  const directory = sharedDirectory()
  const members: Member[] = []
  const nodes: Record<string, { self: string, mesh: Awaited<ReturnType<FakeWire['mesh']>>, queries: InstanceType<typeof ClusterQueries> }> = {}
  for (const [name, ids] of Object.entries(agents)) {
    const mesh = await wire.mesh()
    const self = mesh.peerId.toString()
    members.push(member(self, name))
    const kernel = agentKernel(ids)
    for (const id of ids) directory.entries.set(id, { agent: id, node: self, epoch: 1, ts: 0 })
    const store = blobStore()
    const view = membership(() => members, self)
    const own = directoryOf(directory, self)
    const arbiter = new IdArbiter({ mesh: mesh.asMesh, membership: view, directory: own, kernel })
    const deployer = new Deployer({ mesh: mesh.asMesh, membership: view, kernel, store, directory: own, arbiter })
    const rpc = new NodeRpc({ mesh: mesh.asMesh, kernel, store, directory: own, logs: fixedLogs([{ seq: 1, ts: 0, agent: ids[0] ?? '', level: 'info', message: `hello from ${name}` }]), deployer, arbiter })
    await rpc.start()
    const router = new IpcRouter({ mesh: mesh.asMesh, membership: view, kernel: { ...kernel, accept: () => {}, request: async () => undefined, send: () => { throw new Error('not here') } }, directory, logger: defaultLogger('test:cluster') })
    nodes[name] = { self, mesh, queries: new ClusterQueries({ mesh: mesh.asMesh, membership: view, rpc, router }) }
  }
  return { nodes, members }
}

t.test('peers lists every member, this node marked', async (t) => {
  const { nodes } = await cluster({ a: [], b: [] })
  t.match(nodes.b.queries.peers(), [{ name: 'a', self: false, state: 'alive' }, { name: 'b', self: true }])
})

t.test('agent list: every node\'s agents, with the node each runs on', async (t) => {
  const { nodes } = await cluster({ a: ['x'], b: ['y', 'z'] })
  const list = await nodes.b.queries.listAgents()
  t.same(list.agents.map((a) => [a.id, a.nodeName, a.node]), [['x', 'a', nodes.a.self], ['y', 'b', nodes.b.self], ['z', 'b', nodes.b.self]])
  t.same(list.unreachable, [])
})

t.test('agent list names each node that did not answer, and why, and keeps the agents of the others', async (t) => {
  const { nodes, members } = await cluster({ a: ['x'], slow: ['s'], gone: ['g'], dead: ['d'], left: ['l'], wary: ['w'] })
  nodes.slow.mesh.silent = true // stopped answering: a timeout
  nodes.gone.mesh.down = true // nothing listening any more
  members[3].state = 'dead' // declared dead: not asked; its agents are known from its last beat
  members[3].lastHeardAt = Date.now() - 42_000
  members[3].extra = { agents: [['d', 2, 'dev']] }
  members[4].state = 'left' // left on purpose: nothing is missing, its agents are unavailable
  members[4].since = Date.now() - 180_000
  members[4].extra = { agents: [['l', 1], ['w', 1]] } // w runs on wary now: listed there only
  members[5].state = 'suspect' // slow to beat but still answering: asked
  const list = await nodes.a.queries.listAgents()
  t.same(list.agents.map((a) => a.id), ['x', 'w'])
  t.match(list.unreachable, [
    { nodeName: 'slow', node: nodes.slow.self, error: { code: 'E_MESH_TIMEOUT', message: /did not answer/ } },
    { nodeName: 'gone', node: nodes.gone.self, error: { code: 'E_NODE_UNREACHABLE', message: /connection refused/ } },
    { nodeName: 'dead', node: nodes.dead.self, error: { code: 'E_NODE_DEAD', message: 'node dead died: no heartbeat for 42 s' } }
  ])
  t.equal(list.unreachable.length, 3)
  t.same(list.unavailable, [
    { id: 'd', epoch: 2, namespace: 'dev', node: nodes.dead.self, nodeName: 'dead', why: { code: 'E_NODE_DEAD', message: 'node dead died: no heartbeat for 42 s' } },
    { id: 'l', epoch: 1, node: nodes.left.self, nodeName: 'left', why: { code: 'E_NODE_LEFT', message: 'node left left 3 min ago' } }
  ], 'the agents of the nodes that left or died, with what happened')

  const err = new NodesUnreachableError(list)
  t.match(err, { code: 'E_NODES_UNREACHABLE', exitCode: 4, result: list, suggestions: [/^mielin mesh peers/] })
  t.match(err.message, /^3 nodes of the cluster did not answer.*\n {2}slow \(.{8}\): .*did not answer.*\n {2}gone \(.{8}\): .*connection refused.*\n {2}dead \(.{8}\): node dead died/)
})

t.test('agent list: a node whose handler fails is named with its error', async (t) => {
  const { nodes } = await cluster({ a: [], b: ['y'] })
  const served = nodes.b.mesh.served.get(NODE_PROTOCOL)!
  served.handler = () => { throw new UnavailableError('The kernel is stopping.', 'E_KERNEL_STOPPING') }
  t.match((await nodes.a.queries.listAgents()).unreachable, [{ nodeName: 'b', error: { code: 'E_KERNEL_STOPPING', message: 'The kernel is stopping.' } }])
})

t.test('agent list given up by the caller is aborted, not blamed on the nodes', async (t) => {
  const { nodes } = await cluster({ a: [], b: [] })
  nodes.b.mesh.silent = true
  const controller = new AbortController()
  controller.abort()
  await t.rejects(nodes.a.queries.listAgents(controller.signal), { code: 'E_ABORTED' })
})

t.test('onOwner runs a node request where the agent lives, here or on a peer', async (t) => {
  const { nodes } = await cluster({ a: ['x'], b: ['y'] })
  t.same(await nodes.a.queries.onOwner('y', { op: 'logs', id: 'y' }), { node: nodes.b.self, result: { lines: [{ seq: 1, ts: 0, agent: 'y', level: 'info', message: 'hello from b' }] } })
  t.match(await nodes.a.queries.onOwner('x', { op: 'inspect', id: 'x' }), { node: nodes.a.self, result: { id: 'x' } })
  t.equal(nodes.a.mesh.sent.length, 1, 'only the peer was asked over the wire')
  await t.rejects(nodes.a.queries.onOwner('ghost', { op: 'inspect', id: 'ghost' }), { code: 'E_AGENT_NOT_FOUND' })
})

t.test('askPeers finds the node that says it has the agent', async (t) => {
  const { nodes } = await cluster({ a: [], b: [], c: ['z'] })
  t.match(await nodes.a.queries.askPeers('z'), { agent: 'z', node: nodes.c.self })
  t.equal(await nodes.a.queries.askPeers('nobody'), undefined)
})
