import t from 'tap'
import { MemberTable, type Heartbeat, type MembershipEvent } from '../../../../src/runtime/mesh/membership/index.js'

let now = 1_000_000
const table = (): MemberTable => new MemberTable({ suspectAfterMs: 300, deadAfterMs: 600, forgetAfterMs: 10_000, now: () => now })
const beat = (peerId: string, seq: number, extra: Partial<Heartbeat> = {}): Heartbeat => ({
  peerId, name: peerId, labels: {}, hardware: {}, load: { agents: 0, messagesPerSec: 0, cpu: 0, memory: 0 }, seq, incarnation: 1, ts: now, addrs: [], ...extra
})
const names = (events: MembershipEvent[]): string[] => events.map((e) => `${e.name}:${e.member.peerId}`)

t.test('joined, suspect, dead, alive again', async (t) => {
  const m = table()
  m.setSelf(beat('me', 0))
  t.same(names(m.heard(beat('a', 0))), ['mesh:peer:joined:a'])
  t.same(m.heard(beat('a', 1)), [])
  t.same(m.heard(beat('me', 5)), [], 'our own beat relayed back is ignored')
  now += 200
  t.same(m.tick(), { events: [], ping: [] })
  now += 200
  const s = m.tick()
  t.same(names(s.events), ['mesh:peer:suspect:a'])
  t.same(s.ping, ['a'], 'a new suspect is pinged once')
  t.same(m.tick().ping, [])
  now += 300
  t.same(names(m.tick().events), ['mesh:peer:dead:a'], 'no beat for deadAfterMs')
  t.same(names(m.heard(beat('a', 2))), ['mesh:peer:alive:a'])
  t.same(m.members().map((x) => [x.peerId, x.state, x.self]), [['me', 'alive', true], ['a', 'alive', false]])
})

t.test('a failed ping makes a suspect dead at once; only suspects', async (t) => {
  const m = table()
  m.heard(beat('b', 0))
  t.same(m.pingFailed('b'), [], 'an alive member is not killed by one ping')
  now += 400
  m.tick()
  t.same(names(m.pingFailed('b')), ['mesh:peer:dead:b'])
})

t.test('old or replayed beats change nothing; a restart (new incarnation) counts', async (t) => {
  const m = table()
  m.heard(beat('c', 10))
  now += 400
  m.tick()
  t.same(m.heard(beat('c', 9)), [], 'an older beat does not revive a suspect')
  t.equal(m.get('c')?.state, 'suspect')
  t.same(names(m.heard(beat('c', 0, { incarnation: 2 }))), ['mesh:peer:alive:c'], 'seq restarts with a new incarnation')
})

t.test('leaving: left, not dead; a later run joins again', async (t) => {
  const m = table()
  m.heard(beat('d', 0))
  t.same(names(m.heard(beat('d', 1, { leaving: true }))), ['mesh:peer:left:d'])
  now += 5000
  t.same(m.tick().events, [], 'a member that left is not declared dead')
  t.same(m.heard(beat('d', 2)), [], 'a straggler of the same run is ignored')
  t.same(names(m.heard(beat('d', 0, { incarnation: 9 }))), ['mesh:peer:joined:d'])
  t.same(m.heard(beat('e', 0, { leaving: true })), [], 'an unknown node leaving is no news')
})

t.test('dead and left members are forgotten after a while', async (t) => {
  const m = table()
  m.heard(beat('f', 0))
  now += 700
  m.tick()
  t.equal(m.get('f')?.state, 'dead')
  now += 10_001
  m.tick()
  t.equal(m.get('f'), undefined)
})
