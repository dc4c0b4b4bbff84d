// The IPC router between two nodes joined in memory: envelopes reach the kernel of the node
// that runs their target, and what cannot be routed is answered or dropped, never lost silently.
import '../../helpers/esm-js-hook.js'
import t from 'tap'
import { defaultLogger } from '../../../src/runtime/logger.js'
import type { DirectoryEntry, Member } from '../../../src/runtime/mesh/index.js'
import type { Envelope } from '../../../src/runtime/types/index.js'
import { member, membership } from '../../helpers/cluster-stubs.js'
import { FakeWire, type FakeMesh } from '../../helpers/fake-mesh.js'
import { until } from '../../helpers/until.js'

// after the hook: the cluster's frames load the mesh, which loads libp2p (see esm-js-hook.ts)
const { IPC_PROTOCOL, IpcRouter } = await import('../../../src/runtime/cluster/index.js')

/** A kernel that hosts `agents`: requests to them are answered with `echo:<payload>`. */
function kernel (agents: string[]) {
  const accepted: Envelope[] = []
  let n = 0
  return {
    accepted,
    has: (id: string) => agents.includes(id),
    accept: (e: Envelope) => { accepted.push(e) },
    request: async (_from: string, to: string, payload: string) => `${to} says ${payload}`,
    send: (from: string, to: string, payload: string): Envelope => ({ id: `m${++n}`, from, to, payload, seq: BigInt(n), kind: 'message' })
  }
}

function directory (entries: Record<string, string>) {
  const forgotten: string[] = []
  return {
    forgotten,
    get: async (agent: string): Promise<DirectoryEntry | undefined> => entries[agent] === undefined ? undefined : { agent, node: entries[agent], epoch: 1, ts: 0 },
    cached: (agent: string): DirectoryEntry | undefined => entries[agent] === undefined ? undefined : { agent, node: entries[agent], epoch: 1, ts: 0 },
    forget: (agent: string) => { forgotten.push(agent) }
  }
}

async function twoNodes (where: Record<string, 'a' | 'b'>) {
  const wire = new FakeWire()
  const meshes = { a: await wire.mesh(), b: await wire.mesh() }
  const entries = Object.fromEntries(Object.entries(where).map(([agent, n]) => [agent, meshes[n].peerId.toString()]))
  const members: Member[] = [member(meshes.a.peerId.toString(), 'a'), member(meshes.b.peerId.toString(), 'b')]
  const make = (m: FakeMesh, name: 'a' | 'b') => {
    const k = kernel(Object.keys(where).filter((id) => where[id] === name))
    const d = directory(entries)
    const view = membership(() => members, m.peerId.toString())
    return { kernel: k, directory: d, router: new IpcRouter({ mesh: m.asMesh, membership: view, kernel: k, directory: d, logger: defaultLogger('test:cluster') }) }
  }
  const a = make(meshes.a, 'a')
  const b = make(meshes.b, 'b')
  await a.router.start()
  await b.router.start()
  return { meshes, a, b, members }
}

t.test('an envelope for an agent on another node is delivered into that node\'s kernel', async (t) => {
  const { a, b, meshes } = await twoNodes({ there: 'b' })
  const e: Envelope = { id: 'm1', from: 'cli:x', to: 'there', seq: 7n, kind: 'message', payload: '{"n":1}' }
  a.router.route(e)
  await until('b to accept it', () => b.kernel.accepted.length === 1)
  t.same(b.kernel.accepted[0], e, 'the same envelope, seq and all')
  t.match(meshes.a.sent, [[meshes.b.peerId.toString(), IPC_PROTOCOL, { op: 'deliver' }]])
})

t.test('a local agent\'s request to an agent nobody runs gets an error reply, not silence', async (t) => {
  const { a } = await twoNodes({ asker: 'a' })
  a.router.route({ id: 'q1', from: 'asker', to: 'ghost', seq: 1n, kind: 'request', payload: '{}' })
  await until('the error reply', () => a.kernel.accepted.length === 1)
  const reply = a.kernel.accepted[0]
  t.match(reply, { from: 'ghost', to: 'asker', kind: 'reply', replyTo: 'q1' })
  t.match(JSON.parse(reply.payload), { error: { code: 'E_AGENT_NOT_FOUND', message: /No node of the cluster runs an agent "ghost"/ } })
  t.same(a.directory.forgotten, ['ghost'], 'and the stale directory entry is dropped')
})

t.test('a one-way message that cannot be routed is dropped without a reply', async (t) => {
  const { a, meshes } = await twoNodes({ there: 'b' })
  meshes.b.down = true
  a.router.route({ id: 'm2', from: 'cli:x', to: 'there', seq: 1n, kind: 'message', payload: '{}' })
  await until('the directory to forget it', () => a.directory.forgotten.length === 1)
  t.equal(a.kernel.accepted.length, 0)
})

t.test('request() reaches an agent here or on another node, and says which node answered', async (t) => {
  const { a, meshes } = await twoNodes({ here: 'a', there: 'b' })
  t.same(await a.router.request('cli:x', 'here', 'hi', 1000), { node: meshes.a.peerId.toString(), reply: 'here says hi' })
  t.same(await a.router.request('cli:x', 'there', 'yo', 1000), { node: meshes.b.peerId.toString(), reply: 'there says yo' })
  await t.rejects(a.router.request('cli:x', 'ghost', '{}', 1000), { code: 'E_AGENT_NOT_FOUND', suggestions: [/mielin agent list/] })
})

t.test('send() names the node of the target', async (t) => {
  const { a, meshes } = await twoNodes({ there: 'b' })
  t.match(await a.router.send('cli:x', 'there', '{}'), { node: meshes.b.peerId.toString(), messageId: /^m\d+$/ })
})

t.test('an agent whose node left or died is unavailable, and the error names the node and what happened', async (t) => {
  const { a, members } = await twoNodes({ there: 'b' })
  members[1].state = 'left'
  members[1].since = Date.now() - 180_000
  await t.rejects(a.router.request('cli:x', 'there', '{}', 1000), {
    code: 'E_NODE_LEFT', message: 'Agent "there" is unavailable: node b left 3 min ago.', suggestions: [/mesh start/, /--replace/]
  })
  members[1].state = 'dead'
  members[1].lastHeardAt = Date.now() - 40_000
  await t.rejects(a.router.send('cli:x', 'there', '{}'), { code: 'E_NODE_DEAD', message: 'Agent "there" is unavailable: node b died: no heartbeat for 40 s.' })
})

t.test('a node that cannot be reached is named by its name, with what to try', async (t) => {
  const { a, meshes } = await twoNodes({ there: 'b' })
  meshes.b.down = true
  const err = await a.router.request('cli:x', 'there', '{}', 1000).catch((e: Error) => e) as Error & { code: string, suggestions: string[] }
  t.equal(err.code, 'E_NODE_UNREACHABLE')
  t.match(err.message, /^Cannot reach node b for \/mielin\/ipc/)
  t.notMatch(err.message, meshes.b.peerId.toString(), 'no peer id in place of the name')
  t.match(err.suggestions, [/^Node b was last heard from \d+ s ago \(alive\): it may have just stopped or crashed/], 'with what to try for a node that was just up')
})
