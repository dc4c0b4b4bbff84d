// What placement learns of a node comes from its heartbeats. A beat carries the bytes of
// memory the node's process holds; placement compares fractions of each node's memory. These
// tests go from real heartbeats, through the member table, to the node placement picks.
import t from 'tap'
import { nodeSummary, peerView } from '../../../src/runtime/cluster/member-views.js'
import { MemberTable } from '../../../src/runtime/mesh/membership/member-table.js'
import type { Heartbeat } from '../../../src/runtime/mesh/membership/heartbeat.js'
import { hardwareSummary, place } from '../../../src/runtime/placement/place.js'
import { fakeX86Profile } from '../../helpers/hardware.js'

const GiB = 2 ** 30
const sixteenGiB = { ...hardwareSummary(fakeX86Profile({ memory: { totalBytes: 16 * GiB, availableBytes: 8 * GiB } })) }

/** A beat as Membership builds it: load.memory is the process RSS in bytes. */
const beat = (peerId: string, name: string, rssBytes: number, hardware: Record<string, unknown> = sixteenGiB): Heartbeat => ({
  peerId, name, labels: {}, hardware: hardware as Heartbeat['hardware'], addrs: [], seq: 1, incarnation: 1, ts: 0,
  load: { agents: 1, messagesPerSec: 0, cpu: 0.25, memory: rssBytes }
})

function membersFrom (beats: Heartbeat[]): ReturnType<MemberTable['members']> {
  const table = new MemberTable()
  for (const b of beats) table.heard(b)
  return table.members()
}

t.test('memory goes to placement as the fraction of the node\'s memory in use', async (t) => {
  const [m] = membersFrom([beat('p1', 'a', 4 * GiB)])
  t.equal(nodeSummary(m).load.memory, 0.25, '4 GiB of 16 GiB')
  t.equal(peerView(m).load.memory, 4 * GiB, 'mesh peers still shows the bytes')
})

t.test('of two nodes equal in all else, placement picks the one with more memory free', async (t) => {
  // "a" sorts first, so a node summary that lost its memory (0 for both) would pick "a"
  const nodes = membersFrom([beat('p1', 'a', 12 * GiB), beat('p2', 'b', 2 * GiB)]).map((m) => nodeSummary(m))
  t.same(nodes.map((n) => n.load.memory), [0.75, 0.125])
  t.equal(place({}, nodes).name, 'b')
})

t.test('the limit a node runs under (a container) counts, not the machine\'s memory', async (t) => {
  const limited = hardwareSummary(fakeX86Profile({ memory: { totalBytes: 64 * GiB, availableBytes: 60 * GiB }, limits: { cpus: 2, memoryBytes: 4 * GiB, source: 'cgroup2' } }))
  const [m] = membersFrom([beat('p1', 'small', 2 * GiB, { ...limited })])
  t.equal(nodeSummary(m).load.memory, 0.5)
})

t.test('a beat without a usable memory size cannot push the score out of 0..1', async (t) => {
  const nodes = membersFrom([
    beat('p1', 'unknown', 3 * GiB, { ...sixteenGiB, memoryBytes: 0 }),
    beat('p2', 'odd', 3 * GiB, { ...sixteenGiB, memoryBytes: 'lots' }),
    beat('p3', 'over', 32 * GiB)
  ]).map((m) => nodeSummary(m))
  t.same(nodes.map((n) => n.load.memory), [0, 0, 1])
})
