import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { signBeat, verifyBeat, type Heartbeat } from '../../../../src/runtime/mesh/membership/index.js'

const key = await generateKeyPair('Ed25519')
const other = await generateKeyPair('Ed25519')
const peerId = peerIdFromPrivateKey(key).toString()
const beat: Heartbeat = {
  peerId, name: 'n1', labels: { zone: 'a' }, hardware: { arch: 'x64', cores: 8 }, load: { agents: 2, messagesPerSec: 10, cpu: 0.2, memory: 1e8 },
  seq: 3, incarnation: 17, ts: Date.now(), addrs: ['/ip4/127.0.0.1/tcp/4001'], extra: { agents: [{ id: 'x', epoch: 1 }] }
}
const sign = (k: typeof key) => async (d: Uint8Array) => await k.sign(d)

t.test('a signed beat verifies with the key in its peer id', async (t) => {
  const signed = await signBeat(beat, sign(key))
  t.same(await verifyBeat(signed), beat)
})

t.test('tampering, a wrong signer or a bad body is refused', async (t) => {
  const signed = await signBeat(beat, sign(key))
  await t.rejects(verifyBeat({ ...signed, body: signed.body.replace('"n1"', '"n2"') }), { code: 'E_BAD_FRAME', message: /signature/ })
  await t.rejects(verifyBeat(await signBeat(beat, sign(other))), { code: 'E_BAD_FRAME', message: /signature/ }, 'signed by another node')
  await t.rejects(verifyBeat(await signBeat({ ...beat, peerId: 'nope' }, sign(key))), { code: 'E_BAD_FRAME', message: /peerId/ })
  await t.rejects(verifyBeat({ body: '{"peerId":1}', sig: signed.sig }), { code: 'E_BAD_FRAME' })
  await t.rejects(verifyBeat({ body: 'not json', sig: signed.sig }), { code: 'E_BAD_FRAME' })
  await t.rejects(signBeat({ ...beat, hardware: { blob: 'x'.repeat(40_000) } }, sign(key)), { code: 'E_BAD_FRAME', message: /over/ })
})
