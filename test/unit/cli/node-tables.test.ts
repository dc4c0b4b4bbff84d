// The tables of the commands that need a running node: what a person sees of each node and agent.
import t from 'tap'
import { agentsTable, peersTable, recentPeers, unavailableTable } from '../../../src/cli/node-tables.js'
import type { AgentView, PeerView } from '../../../src/runtime/types/index.js'

const plain = { isTTY: false }

const peer = (name: string, self: boolean, over: Partial<PeerView> = {}): PeerView => ({
  peerId: `12D3KooW${name.repeat(44)}`,
  name,
  self,
  state: 'alive',
  addrs: [],
  labels: {},
  hardware: { arch: 'x86_64', simd: ['sse4_2', 'avx2', 'avx512f', 'fma'], gpus: 0, cores: 8, memoryBytes: 16 * 2 ** 30, support: 'runs' },
  load: { agents: 2, messagesPerSec: 12.4, cpu: 0.256, memory: 187 * 2 ** 20 },
  lastSeenMs: 0,
  ...over
})

t.test('mesh peers: a line per node, the node asked starred, peer ids whole', async (t) => {
  const arm = { arch: 'aarch64', simd: ['asimd', 'neon', 'sve2'], gpus: 1, cores: 4, memoryBytes: 4 * 2 ** 30, support: 'runs' as const }
  const idle = { agents: 0, messagesPerSec: 0, cpu: 0.0123, memory: 95.4 * 2 ** 20 }
  const text = await peersTable([peer('a', true, { labels: { zone: 'a', tier: 'edge' } }), peer('b', false, { state: 'suspect', hardware: arm, load: idle })], plain)
  const [header, a, b, ...rest] = text.split('\n')
  t.match(header, /^NAME\s+STATE\s+ARCH\s+CORES\s+MEMORY\s+SIMD\s+GPUS\s+AGENTS\s+CPU \(ALL CORES\)\s+RSS\s+MSGS\/S\s+LABELS\s+PEER ID$/, 'the header says what the CPU share is of')
  t.match(a, /^\* a\s+alive\s+x86_64\s+8\s+16\.0 GiB\s+avx2 avx512f\s+0\s+2\s+26%\s+187 MiB\s+12\s+zone=a,tier=edge\s+12D3KooWa{44}$/, 'only the SIMD features placement looks at')
  t.match(b, /^ {2}b\s+suspect\s+aarch64\s+4\s+4\.0 GiB\s+neon sve2\s+1\s+0\s+1\.2%\s+95 MiB\s+0\s+12D3KooWb{44}$/, 'an idle node\'s small share keeps a decimal')
  t.same(rest, [])
  t.equal(a.indexOf('alive'), b.indexOf('suspect'), 'columns line up')
})

t.test('agent list: a line per agent with its node and counters', async (t) => {
  const agent = (id: string, nodeName: string, over: Partial<AgentView> = {}): AgentView => ({
    id, namespace: 'default', name: id, version: '0.1.0', status: 'running', worker: 0, queued: 0, processed: 0, restarts: 0,
    memoryBytes: 0, caps: [], hash: 'h', node: `12D3KooW${nodeName}`, nodeName, ...over
  })
  const text = await agentsTable([agent('hello', 'a', { processed: 1234 }), agent('probe', 'c', { status: 'failed', queued: 3, restarts: 5, namespace: 'ops' })], plain)
  t.same(text.split('\n').map((l) => l.split(/\s+/)), [
    ['ID', 'STATUS', 'NODE', 'NAMESPACE', 'QUEUED', 'HANDLED', 'RESTARTS'],
    ['hello', 'running', 'a', 'default', '0', '1234', '0'],
    ['probe', 'failed', 'c', 'ops', '3', '0', '5']
  ])
})

t.test('mesh peers leaves out the nodes that left, or died, long ago', async (t) => {
  const min = 60_000
  const peers = [
    peer('a', true),
    peer('b', false, { state: 'left', lastSeenMs: 9 * min }),
    peer('c', false, { state: 'left', lastSeenMs: 11 * min }),
    peer('d', false, { state: 'dead', lastSeenMs: 59 * min }),
    peer('e', false, { state: 'dead', lastSeenMs: 61 * min }),
    peer('f', false, { state: 'suspect', lastSeenMs: 24 * 60 * min })
  ]
  const { shown, hidden } = recentPeers(peers)
  t.same(shown.map((p) => p.name), ['a', 'b', 'd', 'f'], 'left under 10 min ago, dead under an hour, and every live or suspect node')
  t.equal(hidden, 2)
})

t.test('agent list shows the agents of nodes that left or died with what happened', async (t) => {
  const text = await unavailableTable([{ id: 'hello', epoch: 2, namespace: 'default', node: 'p', nodeName: 'c', why: { code: 'E_NODE_LEFT', message: 'node c left 3 min ago' } }], plain)
  t.same(text.split('\n').map((l) => l.trim().split(/\s{2,}/)), [['ID', 'STATUS', 'NODE'], ['hello', 'unavailable: node c left 3 min ago', 'c']])
})
