// Hop counting over kad-dht query events: routing-table peers are depth 1, a peer first named
// by a depth-d peer's answer is depth d+1, and a record in the asker's own store is no hop.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { QueryEvent } from '@libp2p/kad-dht'
import t from 'tap'
import { countHops, toHopEvent, type HopEvent } from '../../../bench/dht-probe/index.js'

const dial = (to: string): HopEvent => ({ name: 'DIAL_PEER', to })
const answer = (from: string, closer: string[], record = false): HopEvent => ({ name: 'PEER_RESPONSE', from, closer, record })

t.test('a lookup answered from the routing table takes one hop', async (t) => {
  const events = [dial('a'), dial('b'), answer('a', ['b', 'c']), answer('b', [], true), { name: 'VALUE', from: 'b' } as const]
  t.same(countHops(events, 'me'), { queried: 2, maxDepth: 1, valueDepth: 1, local: false })
})

t.test('each answer that names new peers adds a hop', async (t) => {
  const events: HopEvent[] = [
    dial('a'), dial('b'),
    answer('a', ['c', 'd']), dial('c'), dial('d'), // c, d: depth 2
    answer('b', ['c', 'e']), dial('e'), // c was already depth 2; e: depth 2
    answer('c', ['f', 'me']), dial('f'), // f: depth 3; the asker itself is never a hop
    answer('d', []), answer('e', ['f']),
    answer('f', [], true)
  ]
  t.same(countHops(events, 'me'), { queried: 6, maxDepth: 3, valueDepth: 3, local: false })
})

t.test('a peer named before its own dial keeps the depth it was named at', async (t) => {
  const events = [dial('a'), answer('a', ['b']), { name: 'SEND_QUERY', to: 'b' } as const, answer('b', ['c']), dial('c'), { name: 'SEND_QUERY', to: 'c' } as const]
  t.same(countHops(events, 'me'), { queried: 3, maxDepth: 3, valueDepth: undefined, local: false })
})

t.test('the first remote holder sets the hops; the local copy and failures do not', async (t) => {
  const events: HopEvent[] = [
    dial('a'), dial('b'),
    { name: 'QUERY_ERROR', from: 'b' },
    answer('a', ['c']), dial('c'), answer('c', ['d'], true), dial('d'), answer('d', [], true),
    { name: 'VALUE', from: 'me' }
  ]
  t.same(countHops(events, 'me'), { queried: 4, maxDepth: 3, valueDepth: 2, local: true })
})

t.test('no events, no hops', async (t) => {
  t.same(countHops([], 'me'), { queried: 0, maxDepth: 0, valueDepth: undefined, local: false })
})

t.test('kad-dht events are reduced to peer id strings; record-correction sends are dropped', async (t) => {
  const [a, b] = await Promise.all([generateKeyPair('Ed25519'), generateKeyPair('Ed25519')]).then((keys) => keys.map(peerIdFromPrivateKey))
  const path = { index: 0, queued: 0, running: 1, total: 1 }
  const response = { name: 'PEER_RESPONSE', type: 1, from: a, messageName: 'GET_VALUE', messageType: 1, closer: [{ id: b, multiaddrs: [] }], providers: [], record: { key: new Uint8Array(), value: new Uint8Array([1]) }, path }
  t.same(toHopEvent(response as unknown as QueryEvent), { name: 'PEER_RESPONSE', from: a.toString(), closer: [b.toString()], record: true })
  t.same(toHopEvent({ ...response, record: undefined } as unknown as QueryEvent), { name: 'PEER_RESPONSE', from: a.toString(), closer: [b.toString()], record: false })
  t.same(toHopEvent({ name: 'DIAL_PEER', type: 7, peer: b, path } as unknown as QueryEvent), { name: 'DIAL_PEER', to: b.toString() })
  t.equal(toHopEvent({ name: 'SEND_QUERY', type: 0, to: b, messageName: 'PUT_VALUE', messageType: 0, path } as unknown as QueryEvent), undefined)
  t.equal(toHopEvent({ name: 'PATH_ENDED', type: 8, path } as unknown as QueryEvent), undefined)
})
