// One owner per agent id, on two real mesh nodes in this process: deploys of one id raced
// from both nodes leave exactly one running agent, whichever node is asked; a later deploy
// of the id is refused naming its node; --replace swaps the code where it runs, keeping its
// state; a stopped id is free again.
import '../helpers/esm-js-hook.js'
import t from 'tap'
import { buildFixtureAgent } from '../helpers/agents.js'
import { meshNodes } from '../helpers/mesh-nodes.js'

t.setTimeout(180_000)
const probe = await buildFixtureAgent('probe')
const { a, b } = await meshNodes(t, ['a', 'b'])
const nodes = { a: a.mesh!.cluster, b: b.mesh!.cluster }

const deploy = async (from: 'a' | 'b', name: string, extra: { node?: string, replace?: boolean } = {}): Promise<unknown> =>
  await nodes[from].deploy({ bytes: probe.bytes, manifest: probe.manifest, name, ...extra })
const copies = async (from: 'a' | 'b', id: string): Promise<string[]> =>
  (await nodes[from].listAgents()).agents.filter((x) => x.id === id).map((x) => x.nodeName)
const count = async (from: 'a' | 'b', id: string, n = 1): Promise<number> =>
  (JSON.parse((await nodes[from].request('cli:test', id, JSON.stringify({ op: 'count', n }), 20_000)).reply ?? 'null') as { count: number }).count

t.test('deploys of one id raced from two nodes: exactly one wins, and both nodes list one agent', async (t) => {
  for (const id of ['race-1', 'race-2', 'race-3', 'race-4', 'race-5']) {
    const results = await Promise.allSettled([deploy('a', id, { node: 'a' }), deploy('b', id, { node: 'b' })])
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as { code: string, message: string })
    t.equal(lost.length, 1, `${id}: one deploy won, one was refused`)
    t.match(lost[0], { code: 'E_AGENT_EXISTS', message: new RegExp(`"${id}" (is being deployed on|already runs on) node [ab]`) })
    const [fromA, fromB] = [await copies('a', id), await copies('b', id)]
    t.equal(fromA.length, 1, `${id}: one copy, asked on a`)
    t.same(fromB, fromA, `${id}: the same one, asked on b`)
  }
})

t.test('a later deploy of an id is refused naming its node; --replace keeps its state; a stopped id is free', async (t) => {
  await deploy('a', 'solo', { node: 'a' })
  await count('b', 'solo', 41)
  await t.rejects(deploy('b', 'solo', { node: 'b' }), { code: 'E_AGENT_EXISTS', message: 'Agent "solo" already runs on node a (alive, epoch 1).', suggestions: [/--replace/, /mielin agent stop solo/] })
  await t.rejects(deploy('b', 'solo'), { code: 'E_AGENT_EXISTS' }, 'wherever placement would put it')
  t.same(await copies('b', 'solo'), ['a'])

  t.match(await deploy('b', 'solo', { replace: true }), [{ agent: 'solo', nodeName: 'a', epoch: 2, replaced: { nodeName: 'a', stateKept: true } }])
  t.equal(await count('b', 'solo'), 42, 'the replaced agent counts on from its state')
  await t.rejects(deploy('b', 'solo', { node: 'b', replace: true }), { code: 'E_INVALID_ARG', message: /runs the new code where "solo" runs now, on node a/ })
  t.same(await copies('a', 'solo'), ['a'], 'still one copy')

  await nodes.b.onOwner('solo', { op: 'stop', id: 'solo' })
  t.match(await deploy('b', 'solo', { node: 'b' }), [{ agent: 'solo', nodeName: 'b', epoch: 3 }], 'once stopped, the id is free, at a higher epoch')
  t.equal(await count('a', 'solo'), 1, 'a new agent, from a clean state')
})
