// `mesh start --json`: one JSON object a line, `started` first with the addresses the node
// got, then each membership change, in the order they happened.
import t from 'tap'
import { memberLine, NodeLineWriter, startedLine, stoppedLine } from '../../../src/cli/node-lines.js'
import type { Member, MembershipEvent } from '../../../src/runtime/mesh/membership/index.js'

const at = new Date('2025-01-02T03:04:05.000Z')
const member = (name: string, state: Member['state']): Member => ({
  peerId: `12D3KooW${name}`, name, state, self: false, labels: {}, hardware: {}, addrs: [`/ip4/127.0.0.1/tcp/4100/p2p/12D3KooW${name}`],
  load: { agents: 0, messagesPerSec: 0, cpu: 0, memory: 0 }, seq: 1, incarnation: 1, ts: 0, lastHeardAt: 0, since: 0
})
const event = (name: MembershipEvent['name'], m: Member): MembershipEvent => ({ name, member: m })

t.test('each line says what happened, to which node, when', async (t) => {
  t.same(startedLine({ name: 'a', peerId: 'P', addrs: ['/ip4/127.0.0.1/tcp/40123/p2p/P'] }, at),
    { event: 'started', name: 'a', peerId: 'P', addrs: ['/ip4/127.0.0.1/tcp/40123/p2p/P'], time: '2025-01-02T03:04:05.000Z' })
  t.same(memberLine(event('mesh:peer:left', member('c', 'left')), at),
    { event: 'left', name: 'c', peerId: '12D3KooWc', state: 'left', addrs: ['/ip4/127.0.0.1/tcp/4100/p2p/12D3KooWc'], time: '2025-01-02T03:04:05.000Z' })
  t.same(stoppedLine({ name: 'a', peerId: 'P' }, at), { event: 'stopped', name: 'a', peerId: 'P', time: '2025-01-02T03:04:05.000Z' })
})

t.test('changes heard while the node starts wait for the started line', async (t) => {
  let out = ''
  const w = new NodeLineWriter((text) => { out += text })
  w.member(event('mesh:peer:joined', member('b', 'alive')))
  t.equal(out, '', 'nothing before started')
  w.started({ name: 'a', peerId: 'P', addrs: [] })
  w.member(event('mesh:peer:suspect', member('b', 'suspect')))
  const lines = out.split('\n')
  t.equal(lines.pop(), '', 'every line ends with a newline')
  t.same(lines.map((l) => (JSON.parse(l) as { event: string }).event), ['started', 'joined', 'suspect'])
})
