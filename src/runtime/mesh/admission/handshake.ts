/**
 * The admission handshake: each side proves it holds the cluster key, over
 * `/mielin/admit/1.0.0`, in four frames.
 *
 *   initiator → { v: 1, nonce: nI }
 *   responder → { nonce: nR, mac: MAC('R', nI, nR, idI, idR) }
 *   initiator → { mac: MAC('I', nI, nR, idI, idR) }
 *   responder → { ok: true }
 *
 * MAC is HMAC-SHA256 under a key derived from the cluster key. Both fresh nonces make a proof
 * useless on a later connection; both peer ids (which TLS / noise authenticate) make it
 * useless on a connection between other peers; the role keeps a side's own proof from being
 * echoed back to it. The responder speaks first with a proof, so an outsider that dials us
 * learns nothing it could replay.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Stream } from '@libp2p/interface'
import { z } from 'zod'
import type { Logger } from '../../logger.js'
import { PeerRefusedError } from '../errors.js'
import { base64, FrameStream } from '../wire/index.js'

export const ADMIT_PROTOCOL = '/mielin/admit/1.0.0'
export const NONCE_BYTES = 32
const MAX_ADMIT_FRAME = 1024

const helloSchema = z.object({ v: z.literal(1), nonce: base64({ maxBytes: NONCE_BYTES }) })
const challengeSchema = z.object({ nonce: base64({ maxBytes: NONCE_BYTES }), mac: base64({ maxBytes: 32 }) })
const proofSchema = z.object({ mac: base64({ maxBytes: 32 }) })
const okSchema = z.object({ ok: z.literal(true) })

/** The HMAC key: a key of its own, so the HMAC and pnet's stream cipher never share key material. */
export function admissionKey (clusterKey: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', clusterKey, new Uint8Array(0), 'mielin/admit/1.0.0', 32))
}

/** What a proof covers: both nonces and both peer ids, the initiator's first. */
export interface Transcript { nI: Uint8Array, nR: Uint8Array, idI: string, idR: string }

/** The proof of `role` ('I' initiator, 'R' responder) over `t`. */
export function proofMac (key: Uint8Array, role: 'I' | 'R', t: Transcript): Buffer {
  const h = createHmac('sha256', key)
  // each part length-prefixed, so that no two transcripts hash alike by shifting bytes across parts
  for (const part of [Buffer.from(`mielin-admit-v1/${role}`), t.nI, t.nR, Buffer.from(t.idI), Buffer.from(t.idR)]) {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(part.byteLength)
    h.update(len).update(part)
  }
  return h.digest()
}

/** Whether `mac` is the proof of `role` over `t` (in constant time). */
export function checkProof (key: Uint8Array, role: 'I' | 'R', t: Transcript, mac: Uint8Array): boolean {
  const want = proofMac(key, role, t)
  return mac.byteLength === want.byteLength && timingSafeEqual(mac, want)
}

export interface HandshakeOptions {
  /** From admissionKey(). */
  key: Uint8Array
  localPeer: string
  remotePeer: string
  /** The admission deadline. */
  signal: AbortSignal
  /** Called once the other side's proof checks out, before the last frame. */
  onProven: () => void
  logger?: Logger
}

/** The dialling side. Throws PeerRefusedError (or the stream's error) and resets the stream when the proof fails. */
export async function initiate (stream: Stream, o: HandshakeOptions): Promise<void> {
  const fs = new FrameStream(stream, { maxFrameBytes: MAX_ADMIT_FRAME, logger: o.logger })
  try {
    const nI = randomBytes(NONCE_BYTES)
    await fs.write({ v: 1, nonce: nI.toString('base64') })
    const challenge = await fs.read(challengeSchema, { signal: o.signal })
    const t: Transcript = { nI, nR: Buffer.from(challenge.nonce, 'base64'), idI: o.localPeer, idR: o.remotePeer }
    if (t.nR.byteLength !== NONCE_BYTES || !checkProof(o.key, 'R', t, Buffer.from(challenge.mac, 'base64'))) {
      throw new PeerRefusedError('its proof of the cluster key is wrong')
    }
    await fs.write({ mac: proofMac(o.key, 'I', t).toString('base64') })
    await fs.read(okSchema, { signal: o.signal })
    o.onProven()
    await fs.close({ signal: AbortSignal.timeout(1000) })
  } catch (err) {
    fs.stream.abort(err as Error)
    throw err
  }
}

/** The answering side, on the stream the initiator opened. Fails as initiate() does. */
export async function respond (stream: Stream, o: HandshakeOptions): Promise<void> {
  const fs = new FrameStream(stream, { maxFrameBytes: MAX_ADMIT_FRAME, logger: o.logger })
  try {
    const hello = await fs.read(helloSchema, { signal: o.signal })
    const nI = Buffer.from(hello.nonce, 'base64')
    if (nI.byteLength !== NONCE_BYTES) throw new PeerRefusedError('a malformed nonce')
    const t: Transcript = { nI, nR: randomBytes(NONCE_BYTES), idI: o.remotePeer, idR: o.localPeer }
    await fs.write({ nonce: Buffer.from(t.nR).toString('base64'), mac: proofMac(o.key, 'R', t).toString('base64') })
    const proof = await fs.read(proofSchema, { signal: o.signal })
    if (!checkProof(o.key, 'I', t, Buffer.from(proof.mac, 'base64'))) throw new PeerRefusedError('its proof of the cluster key is wrong')
    o.onProven()
    await fs.write({ ok: true })
    await fs.close({ signal: AbortSignal.timeout(1000) })
  } catch (err) {
    if (stream.status === 'open') stream.abort(err as Error)
    throw err
  }
}
