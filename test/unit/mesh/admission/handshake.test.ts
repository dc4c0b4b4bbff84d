// The admission handshake with real keys: the proofs as pure functions, then both sides over an
// in-memory stream. A member is admitted; a node with another cluster key is refused by both.
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import { admissionKey, checkProof, initiate, NONCE_BYTES, proofMac, respond, type Transcript } from '../../../../src/runtime/mesh/admission/handshake.js'

const clusterKey = randomBytes(32)
const otherClusterKey = randomBytes(32)
const alice = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
const bob = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
const mallory = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()

t.test('proofs: bound to the key, the role, both nonces and both peers', async (t) => {
  const key = admissionKey(clusterKey)
  t.equal(key.byteLength, 32)
  t.notSame(key, Buffer.from(clusterKey), 'not the cluster key itself (pnet uses that)')
  const tr: Transcript = { nI: randomBytes(NONCE_BYTES), nR: randomBytes(NONCE_BYTES), idI: alice, idR: bob }
  const mac = proofMac(key, 'I', tr)
  t.ok(checkProof(key, 'I', tr, mac), 'the right proof')
  t.notOk(checkProof(admissionKey(otherClusterKey), 'I', tr, mac), 'another cluster key')
  t.notOk(checkProof(key, 'R', tr, mac), 'echoed back as the other role')
  t.notOk(checkProof(key, 'I', { ...tr, nR: randomBytes(NONCE_BYTES) }, mac), 'replayed on a connection with a fresh nonce')
  t.notOk(checkProof(key, 'I', { ...tr, idI: mallory }, mac), 'relayed by another peer')
  t.notOk(checkProof(key, 'I', tr, mac.subarray(0, 16)), 'a short proof')
})

/** Runs both sides; resolves with what each said. */
async function handshake (keys: { initiator: Uint8Array, responder: Uint8Array }, peers = { initiatorThinks: bob, responderThinks: alice }): Promise<{ initiator: string, responder: string }> {
  const [out, inb] = await streamPair()
  const signal = AbortSignal.timeout(2000)
  const outcome = async (run: (proven: () => void) => Promise<void>): Promise<string> => {
    let proven = false
    try { await run(() => { proven = true }); return proven ? 'admitted' : 'finished unproven' } catch (err) { return `refused: ${(err as Error).message}` }
  }
  const [initiator, responder] = await Promise.all([
    outcome(async (onProven) => { await initiate(out, { key: admissionKey(keys.initiator), localPeer: alice, remotePeer: peers.initiatorThinks, signal, onProven }) }),
    outcome(async (onProven) => { await respond(inb, { key: admissionKey(keys.responder), localPeer: bob, remotePeer: peers.responderThinks, signal, onProven }) })
  ])
  return { initiator, responder }
}

t.test('two members of one cluster admit each other', async (t) => {
  t.same(await handshake({ initiator: clusterKey, responder: clusterKey }), { initiator: 'admitted', responder: 'admitted' })
})

t.test('a node with another cluster key is refused, and refuses', async (t) => {
  const r = await handshake({ initiator: otherClusterKey, responder: clusterKey })
  t.equal(r.initiator, 'refused: its proof of the cluster key is wrong', 'the dialler sees the wrong proof first')
  t.match(r.responder, /^refused: /, 'the answering side never admits it')
})

t.test('a proof made for other peers does not pass', async (t) => {
  // the responder believes it talks to mallory: its proof covers mallory's id, not alice's
  const r = await handshake({ initiator: clusterKey, responder: clusterKey }, { initiatorThinks: bob, responderThinks: mallory })
  t.equal(r.initiator, 'refused: its proof of the cluster key is wrong')
  t.match(r.responder, /^refused: /)
})

t.test('a silent peer is refused at the deadline', async (t) => {
  const [out] = await streamPair()
  // a deadline of our own: AbortSignal.timeout's timer would not keep the test process alive
  const deadline = new AbortController()
  setTimeout(() => { deadline.abort() }, 50)
  await t.rejects(initiate(out, { key: admissionKey(clusterKey), localPeer: alice, remotePeer: bob, signal: deadline.signal, onProven: () => t.fail('admitted') }), { code: 'E_ABORTED' })
  t.not(out.status, 'open', 'its stream is reset')
})
