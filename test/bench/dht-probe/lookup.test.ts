// probeLookup over a stub DHT that replays kad-dht events, and the control handlers' checks.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { KadDHT, QueryEvent } from '@libp2p/kad-dht'
import t from 'tap'
import { probeLookup } from '../../../bench/dht-probe/index.js'
import type { Mesh } from '../../../src/runtime/mesh/index.js'
import { dhtControlMethods } from '../../../bench/dht-probe/control-methods.js'

const [self, a, b] = await Promise.all([0, 1, 2].map(async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
const path = { index: 0, queued: 0, running: 1, total: 1 }
const record = { key: new Uint8Array(), value: new Uint8Array([1]) }
const events = [
  { name: 'DIAL_PEER', peer: a, path },
  { name: 'PEER_RESPONSE', from: a, messageName: 'GET_VALUE', closer: [{ id: b, multiaddrs: [] }], providers: [], path },
  { name: 'DIAL_PEER', peer: b, path },
  { name: 'PEER_RESPONSE', from: b, messageName: 'GET_VALUE', closer: [], providers: [], record, path },
  { name: 'VALUE', from: b, value: record.value, path }
] as unknown as QueryEvent[]
const dht = {
  routingTable: { size: 1 },
  k: 20,
  async * get () { yield * events },
  async * getClosestPeers () { yield * events.slice(0, 3) },
  async * put () {}
} as unknown as KadDHT

t.test('a get that finds the record on a peer named by the first one: two hops', async (t) => {
  const r = await probeLookup(dht, self, 'get', new Uint8Array([1]))
  t.match(r, { kind: 'get', found: true, hops: 2, maxDepth: 2, queried: 2, local: false, routingTable: 1 })
  t.ok(r.valueMs !== undefined && r.valueMs <= r.ms, 'the record came before the query ended')
})

t.test('a closest-peers lookup counts the deepest peer picked', async (t) => {
  t.match(await probeLookup(dht, self, 'closest', new Uint8Array([1])), { kind: 'closest', found: false, hops: 2, queried: 2 })
})

t.test('the control handlers write under /mielin/ only and know two kinds of lookup', async (t) => {
  const handlers = dhtControlMethods({ peerId: self, libp2p: { services: { dht } } } as unknown as Mesh)
  const ctx = { signal: new AbortController().signal }
  await t.rejects(async () => await handlers['dht.put']({ key: '/mielin-agent/x', value: 'v' }, ctx), { code: 'E_INVALID_ARG' })
  await t.resolves(async () => await handlers['dht.put']({ key: '/mielin/bench/x', value: 'v' }, ctx))
  await t.rejects(async () => await handlers['dht.lookup']({ key: '/mielin/x', kind: 'providers' }, ctx), /Valid lookup kinds: get, closest/)
  t.same(await handlers['dht.info']({}, ctx), { routingTable: 1, k: 20 })
})
