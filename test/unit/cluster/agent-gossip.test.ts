import t from 'tap'
import { GOSSIP_LIMIT, gossipOwnAgents, hostedEntry, learnFromBeat } from '../../../src/runtime/cluster/agent-gossip.js'
import type { DirectoryEntry } from '../../../src/runtime/mesh/index.js'

const entry = (agent: string, node: string, epoch: number): DirectoryEntry => ({ agent, node, epoch, ts: 1 })

t.test('a node gossips the agents it owns with the epoch of their directory entry', async (t) => {
  const directory = { known: () => [entry('a', 'me', 3), entry('b', 'me', 1), entry('c', 'other', 7)] }
  const hosted = ['a', 'b', 'c', 'unclaimed'].map((id) => ({ id, namespace: id === 'b' ? 'dev' : 'default' }))
  t.same(gossipOwnAgents(directory, 'me', hosted), { agents: [['a', 3, 'default'], ['b', 1, 'dev']] },
    'agents owned elsewhere, or not in the directory yet, are left out rather than sent with a guessed epoch')
})

t.test('gossip is bounded', async (t) => {
  const ids = Array.from({ length: GOSSIP_LIMIT + 50 }, (_, i) => `a${i}`)
  const directory = { known: () => ids.map((id) => entry(id, 'me', 2)) }
  t.equal((gossipOwnAgents(directory, 'me', ids.map((id) => ({ id, namespace: 'default' }))).agents as unknown[]).length, GOSSIP_LIMIT)
})

t.test('a peer learns the real epoch from a beat, and skips what is malformed or its own', async (t) => {
  const learned: DirectoryEntry[] = []
  const directory = { learn: (e: DirectoryEntry) => { learned.push(e) } }
  learnFromBeat(directory, 'me', { peerId: 'p1', ts: 42, extra: { agents: [['a', 3], ['b', 0], 'old-style', ['c'], [5, 1], ['d', 1.5], ['e', 9]] } })
  t.same(learned, [entry('a', 'p1', 3), { agent: 'e', node: 'p1', epoch: 9, ts: 42 }].map((e) => ({ ...e, ts: 42 })))
  learnFromBeat(directory, 'me', { peerId: 'me', ts: 43, extra: { agents: [['x', 1]] } })
  learnFromBeat(directory, 'me', { peerId: 'p2', ts: 44 })
  t.equal(learned.length, 2, 'our own beat and a beat without gossip teach nothing')
})

t.test('what one node gossips, another learns with the same epoch', async (t) => {
  const learned: DirectoryEntry[] = []
  const extra = gossipOwnAgents({ known: () => [entry('hello', 'node-c', 3)] }, 'node-c', [{ id: 'hello', namespace: 'default' }])
  learnFromBeat({ learn: (e) => { learned.push(e) } }, 'node-a', { peerId: 'node-c', ts: 5, extra })
  t.same(learned, [{ agent: 'hello', node: 'node-c', epoch: 3, ts: 5 }], 'epoch 3 stays 3 (it used to arrive as 0)')
})

t.test('a node tells the real epoch of an agent it hosts (locate, and its answer to `has`)', async (t) => {
  const cache = new Map([['hello', entry('hello', 'me', 3)], ['moved', entry('moved', 'other', 5)]])
  const directory = { cached: (a: string) => cache.get(a) }
  t.equal(hostedEntry(directory, 'me', 'hello').epoch, 3, 'its own entry, at epoch 3 (it used to say 0)')
  t.match(hostedEntry(directory, 'me', 'moved'), { node: 'me', epoch: 0 }, 'an entry naming another node is not ours to tell')
  t.match(hostedEntry(directory, 'me', 'new'), { node: 'me', epoch: 0 }, 'not claimed in the directory yet')
})
