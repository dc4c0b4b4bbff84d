// The deployer and the node RPC of two nodes joined in memory: placement picks the node, the
// component travels to it in chunks with its hash checked, and the directory records the owner.
import '../../helpers/esm-js-hook.js'
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { parseManifest } from '../../../src/runtime/manifest/parse.js'
import type { Member } from '../../../src/runtime/mesh/index.js'
import { hashBytes } from '../../../src/runtime/wasm/index.js'
import { agentKernel, blobStore, directoryOf, fixedLogs, member, membership, sharedDirectory } from '../../helpers/cluster-stubs.js'
import { FakeWire, type FakeMesh } from '../../helpers/fake-mesh.js'

// after the hook: the cluster's frames load the mesh, which loads libp2p (see esm-js-hook.ts)
const { BLOB_CHUNK, Deployer, IdArbiter, NODE_PROTOCOL, NodeRpc } = await import('../../../src/runtime/cluster/index.js')

const manifest = parseManifest({ name: 'worker', version: '0.1.0' })

async function cluster () {
  const wire = new FakeWire()
  const directory = sharedDirectory()
  const members: Member[] = []
  const node = async (name: string) => {
    const mesh = await wire.mesh()
    const self = mesh.peerId.toString()
    members.push(member(self, name, { labels: { zone: name } }))
    const kernel = agentKernel()
    const store = blobStore()
    const view = membership(() => members, self)
    const own = directoryOf(directory, self)
    const arbiter = new IdArbiter({ mesh: mesh.asMesh, membership: view, directory: own, kernel })
    const deployer = new Deployer({ mesh: mesh.asMesh, membership: view, kernel, store, directory: own, arbiter })
    const rpc = new NodeRpc({ mesh: mesh.asMesh, kernel, store, directory: own, logs: fixedLogs([]), deployer, arbiter })
    await rpc.start()
    return { name, self, mesh, kernel, store, deployer, rpc, arbiter }
  }
  return { a: await node('a'), b: await node('b'), directory, members }
}

const blobAsks = (m: FakeMesh): number => m.sent.filter(([, p, f]) => p === NODE_PROTOCOL && (f as { op: string }).op === 'blob').length

t.test('deployed from A with a constraint only B meets: B fetches the component from A in chunks and runs it', async (t) => {
  const { a, b, directory } = await cluster()
  const bytes = randomBytes(2 * BLOB_CHUNK + 1000) // three chunks
  const placed = await a.deployer.deploy({ bytes, manifest, require: ['label=zone=b'] })
  t.same(placed, [{ agent: 'worker', node: b.self, nodeName: 'b', epoch: 1 }])
  t.equal(blobAsks(b.mesh), 3, 'three chunk requests')
  t.same(Buffer.from(b.kernel.deployed[0].component), bytes, 'the very bytes A had')
  t.ok(b.store.blobs.has(hashBytes(bytes)), 'kept for the next deploy')
  t.equal(a.kernel.deployed.length, 0)
  t.match(directory.entries.get('worker'), { node: b.self, epoch: 1 })

  await t.rejects(a.deployer.deploy({ bytes, manifest, node: 'a' }), { code: 'E_AGENT_EXISTS', message: 'Agent "worker" already runs on node b (alive, epoch 1).', suggestions: [/--replace/, /agent stop worker/] },
    'the id has an owner: a second copy is refused, wherever it would go')
  t.equal(a.kernel.deployed.length, 0, 'and nothing runs on A')
  const replaced = await a.deployer.deploy({ bytes, manifest, replace: true })
  t.same(replaced, [{ agent: 'worker', node: b.self, nodeName: 'b', epoch: 2, replaced: { nodeName: 'b', stateKept: true } }], '--replace swaps the code where the agent runs, epoch on')
  t.same(b.kernel.replaced, ['worker'])
  await t.rejects(a.deployer.deploy({ bytes, manifest, replace: true, namespace: 'other' }), { code: 'E_INVALID_ARG', message: /lives in namespace "default", not "other"/ },
    'a replace keeps the agent in its namespace: a token for another cannot swap its code')
  t.equal(blobAsks(b.mesh), 3, 'and B uses the component it already has')
})

t.test('an id stopped since its directory entry was written is free again, at a higher epoch', async (t) => {
  const { a, b, directory } = await cluster()
  directory.entries.set('worker', { agent: 'worker', node: b.self, epoch: 4, ts: 0 }) // b no longer runs it
  t.match(await a.deployer.deploy({ bytes: randomBytes(10), manifest, node: 'a' }), [{ nodeName: 'a', epoch: 5 }])
})

t.test('two deploys of one id raced from two nodes: exactly one wins, the other is told who has it', async (t) => {
  const { a, b } = await cluster()
  const bytes = randomBytes(100)
  const results = await Promise.allSettled([a.deployer.deploy({ bytes, manifest, node: 'a' }), b.deployer.deploy({ bytes, manifest, node: 'b' })])
  const won = results.filter((r) => r.status === 'fulfilled')
  const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
  t.equal(won.length, 1, 'one deploy wins')
  t.match(lost.map((r) => r.reason as object), [{ code: 'E_AGENT_EXISTS', message: /is being deployed on node [ab] right now|already runs on node [ab]/ }])
  t.equal(a.kernel.deployed.length + b.kernel.deployed.length, 1, 'and one copy runs')
})

t.test('without constraints, the node with more of its memory free gets the agent', async (t) => {
  const { a, b, members } = await cluster()
  // heartbeats carry the bytes each process holds; both nodes have 16 GiB
  members[0].load.memory = 12 * 2 ** 30
  members[1].load.memory = 2 * 2 ** 30
  t.match(await a.deployer.deploy({ bytes: randomBytes(10), manifest }), [{ nodeName: 'b', node: b.self }])
})

t.test('replicas on the node named run from the bytes at hand, each with its own id', async (t) => {
  const { a } = await cluster()
  const placed = await a.deployer.deploy({ bytes: randomBytes(100), manifest, replicas: 2, node: a.self })
  t.same(placed.map((p) => [p.agent, p.nodeName]), [['worker-1', 'a'], ['worker-2', 'a']])
  t.equal(blobAsks(a.mesh), 0)
})

t.test('a node that is not in the cluster is refused with what to run instead', async (t) => {
  const { a } = await cluster()
  await t.rejects(a.deployer.deploy({ bytes: randomBytes(10), manifest, node: 'nowhere' }), { code: 'E_INVALID_ARG', message: /No node "nowhere"/, suggestions: [/mielin mesh peers/] })
})

t.test('a component that does not match its hash is not run', async (t) => {
  const { a, b } = await cluster()
  const bytes = randomBytes(1000)
  const hash = hashBytes(bytes)
  await a.store.putBlob(hash, bytes)
  a.store.blobs.set(hash, randomBytes(1000)) // A's copy went bad
  await t.rejects(b.rpc.answer({ op: 'deploy', hash, manifest: manifest as never, id: 'w', namespace: 'default' }, { from: a.mesh.peerId }), /does not match its hash/)
  t.equal(b.kernel.deployed.length, 0)
  t.notOk(b.store.blobs.has(hash), 'nor kept')
})

t.test('the node RPC answers for the agents here', async (t) => {
  const { a, directory } = await cluster()
  const lines = [{ seq: 1, ts: 0, agent: 'w', level: 'info', message: 'one' }, { seq: 2, ts: 0, agent: 'w', level: 'info', message: 'two' }]
  const rpc = new NodeRpc({ mesh: a.mesh.asMesh, kernel: agentKernel(['w']), store: a.store, directory: directoryOf(directory, a.self), logs: fixedLogs(lines), deployer: a.deployer, arbiter: a.arbiter })
  t.match(await rpc.answer({ op: 'agents' }), { agents: [{ id: 'w' }] })
  t.match(await rpc.answer({ op: 'has', id: 'w' }), { entry: { agent: 'w', node: a.self } })
  t.same(await rpc.answer({ op: 'has', id: 'other' }), {})
  t.same(await rpc.answer({ op: 'logs', id: 'w', after: 1 }), { lines: [lines[1]] })
  t.same(await rpc.answer({ op: 'stop', id: 'w' }), {})
  t.same(directory.forgotten, ['w'], 'a stopped agent leaves the directory')
  t.same(await rpc.answer({ op: 'agents' }), { agents: [] })
  await t.rejects(rpc.answer({ op: 'blob', hash: 'f'.repeat(64), offset: 0 }), { message: /No component ffffffffffff here/ })
})
