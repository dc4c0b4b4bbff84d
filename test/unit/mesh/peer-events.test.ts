// Admitted peers coming and going: each peer is announced once however many connections it
// has, and one bad listener does not silence the others.
import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Logger } from '../../../src/runtime/logger.js'
import { PeerEvents, type MeshPeerEvent } from '../../../src/runtime/mesh/peer-events.js'

const a = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
const b = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
const conn = (peer: typeof a): Connection => ({ remotePeer: peer }) as unknown as Connection
const names = (events: MeshPeerEvent[]): string[] => events.map((e) => `${e.name} ${e.peer.equals(a) ? 'a' : 'b'}`)

t.test('one connect per peer, one disconnect when it is gone', async (t) => {
  const events = new PeerEvents({ logger: Object.assign(() => {}, { error: () => {}, enabled: false }) })
  const seen: MeshPeerEvent[] = []
  const off = events.subscribe((e) => { seen.push(e) })
  events.admitted(conn(a))
  events.admitted(conn(a)) // QUIC beside TCP
  events.admitted(conn(b))
  events.disconnected(a)
  events.disconnected(a)
  t.same(names(seen), ['mesh:peer:connect a', 'mesh:peer:connect b', 'mesh:peer:disconnect a'])

  events.clear()
  events.disconnected(b)
  t.equal(seen.length, 3, 'after a stop, nothing is left to disconnect')
  events.admitted(conn(b))
  t.same(names(seen.slice(3)), ['mesh:peer:connect b'], 'a restart announces peers again')

  off()
  events.admitted(conn(a))
  t.equal(seen.length, 4, 'an unsubscribed listener hears nothing')
})

t.test('a listener that throws is logged; the others still hear', async (t) => {
  const errors: string[] = []
  const logger: Logger = Object.assign(() => {}, { error: (m: string) => { errors.push(m) }, enabled: false })
  const events = new PeerEvents({ logger })
  const seen: MeshPeerEvent[] = []
  events.subscribe(() => { throw new Error('boom') })
  events.subscribe((e) => { seen.push(e) })
  events.admitted(conn(a))
  t.equal(seen.length, 1)
  t.match(errors, [/mesh peer listener failed: boom/])
})
