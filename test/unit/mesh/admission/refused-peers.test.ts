// Peers refused after a failed admission: for how long, and what the connection gater says.
import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { RefusedPeers } from '../../../../src/runtime/mesh/admission/index.js'

const outsider = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))

function clock (): { now: () => number, advance: (ms: number) => void } {
  let now = 1_000_000
  return { now: () => now, advance: (ms) => { now += ms } }
}

t.test('a refused peer stays refused for refuseForMs, then is forgotten', async (t) => {
  const c = clock()
  const refused = new RefusedPeers(30_000, c.now)
  t.notOk(refused.has(outsider))
  refused.add(outsider)
  t.ok(refused.has(outsider), 'by peer id')
  t.ok(refused.has(outsider.toString()), 'and by its text')
  t.notOk(refused.has(other), 'only that peer')
  c.advance(29_999)
  t.ok(refused.has(outsider), 'still refused just before the end')
  c.advance(1)
  t.notOk(refused.has(outsider), 'free once the time is up')
  t.equal(refused.size, 0, 'and no longer counted')
})

t.test('refused again: the clock starts over', async (t) => {
  const c = clock()
  const refused = new RefusedPeers(1000, c.now)
  refused.add(outsider)
  c.advance(900)
  refused.add(outsider)
  c.advance(900)
  t.ok(refused.has(outsider))
  t.equal(refused.size, 1, 'one peer however many times it is refused')
})

t.test('counting and forgiving', async (t) => {
  const c = clock()
  const refused = new RefusedPeers(1000, c.now)
  refused.add(outsider)
  c.advance(500)
  refused.add(other)
  t.equal(refused.size, 2)
  c.advance(500)
  t.equal(refused.size, 1, 'the first one expired')
  refused.delete(other)
  t.equal(refused.size, 0)
  t.notOk(refused.has(other), 'a forgiven peer may come back at once')
})

t.test('refuseForMs 0 refuses no one (tests and benches that reconnect on purpose)', async (t) => {
  const refused = new RefusedPeers(0)
  refused.add(outsider)
  t.notOk(refused.has(outsider))
  t.equal(refused.size, 0)
})

t.test('the connection gater denies refused peers both ways', async (t) => {
  const refused = new RefusedPeers(30_000)
  const gater = refused.gater()
  refused.add(outsider)
  t.equal(await gater.denyDialPeer?.(outsider), true, 'we do not dial it')
  t.equal(await gater.denyInboundEncryptedConnection?.(outsider, undefined as never), true, 'it cannot dial us')
  t.equal(await gater.denyOutboundEncryptedConnection?.(outsider, undefined as never), true)
  t.equal(await gater.denyDialPeer?.(other), false, 'others pass')
})
