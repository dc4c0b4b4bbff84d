/**
 * Heartbeats: what a node says about itself every interval, signed with its identity key so
 * that any member can check it came from that node, even when another member relays it.
 * On the wire a signed beat is `{ body, sig }`: `body` is the heartbeat's JSON text (the
 * exact signed bytes, so no canonical JSON is needed), `sig` the base64 ed25519 signature.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { z } from 'zod'
import { BadFrameError } from '../errors.js'
import { base64, decodeJson, json, parseFrame, record, type JsonValue } from '../wire/index.js'

export const HEARTBEAT_PROTOCOL = '/mielin/heartbeat/1.0.0'
const SIGNING_PREFIX = Buffer.from('mielin-heartbeat-v1\n')
/** The largest heartbeat body (JSON text). */
export const MAX_BEAT_BYTES = 32 * 1024
/** Relayed beats per frame at most. */
export const MAX_RELAY = 16

export interface Load {
  /** Agents running on the node. */
  agents: number
  /** Messages handled per second, recently. */
  messagesPerSec: number
  /** The CPU time the node's process used since its last beat, as a share of all the cores it may use, 0..1. */
  cpu: number
  /** Bytes of memory the node's process holds (RSS). */
  memory: number
}

const count = z.number().min(0).max(1e15)

export const heartbeatSchema = z.object({
  peerId: z.string().min(1).max(128),
  name: z.string().max(128),
  labels: record(z.string().max(256), { maxKeys: 64, maxKeyLength: 128 }),
  hardware: record(json({ maxDepth: 8 }), { maxKeys: 64, maxKeyLength: 128 }),
  load: z.object({ agents: count, messagesPerSec: count, cpu: z.number().min(0).max(1024), memory: count }),
  seq: z.int().min(0),
  /** When this run of the node started (ms since the epoch): orders beats across restarts. */
  incarnation: z.int().min(0),
  /** The sender's clock when it sent the beat (ms since the epoch); informative only. */
  ts: z.int().min(0),
  addrs: z.array(z.string().max(256)).max(32),
  /** The last beat of a node stopping on purpose. */
  leaving: z.boolean().optional(),
  /** Extensions other parts of the node publish (e.g. the agents it runs). */
  extra: record(json({ maxDepth: 8 }), { maxKeys: 64, maxKeyLength: 128 }).optional()
})

export type Heartbeat = z.infer<typeof heartbeatSchema>

export interface SignedBeat { body: string, sig: string }

export const signedBeatSchema: z.ZodType<SignedBeat> = z.object({
  body: z.string().min(2).max(MAX_BEAT_BYTES),
  sig: base64({ maxBytes: 128 })
})

/** What one heartbeat push carries: the sender's own beat and maybe others' to relay (discovery). */
export const heartbeatFrameSchema = z.object({
  beat: signedBeatSchema,
  relay: z.array(signedBeatSchema).max(MAX_RELAY).optional()
})

export type HeartbeatFrame = z.infer<typeof heartbeatFrameSchema>

export async function signBeat (beat: Heartbeat, sign: (data: Uint8Array) => Promise<Uint8Array>): Promise<SignedBeat> {
  const body = JSON.stringify(beat)
  if (Buffer.byteLength(body) > MAX_BEAT_BYTES) throw new BadFrameError(`A heartbeat of ${Buffer.byteLength(body)} bytes is over ${MAX_BEAT_BYTES}: trim labels, hardware or extra.`, 'beat')
  const sig = await sign(Buffer.concat([SIGNING_PREFIX, Buffer.from(body)]))
  return { body, sig: Buffer.from(sig).toString('base64') }
}

/** Checks a signed beat: shape, and a valid signature by the key of the peer id it names. Throws BadFrameError. */
export async function verifyBeat (signed: SignedBeat): Promise<Heartbeat> {
  const beat = parseFrame(heartbeatSchema, decodeJson(Buffer.from(signed.body)), 'beat')
  let publicKey
  try {
    publicKey = peerIdFromString(beat.peerId).publicKey
  } catch {
    throw new BadFrameError('beat.peerId: not a peer id.', 'beat.peerId')
  }
  if (publicKey === undefined) throw new BadFrameError('beat.peerId: its public key is not embedded (use ed25519 identities).', 'beat.peerId')
  const ok = await publicKey.verify(Buffer.concat([SIGNING_PREFIX, Buffer.from(signed.body)]), Buffer.from(signed.sig, 'base64'))
  if (!ok) throw new BadFrameError('beat.sig: the signature does not match the peer id.', 'beat.sig')
  return beat
}

export type { JsonValue }
