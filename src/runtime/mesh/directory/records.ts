import { peerIdFromString } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { z } from 'zod'
import { parseFrame } from '../wire/index.js'
import type { DirectoryEntry } from './directory.js'

/**
 * Signed directory records as stored in the DHT under `/mielin-agent/<agent id>`: the
 * owner node signs {agent, node, epoch, ts} with its identity key, and every node checks
 * the signature against the public key inside the `node` peer id (ed25519 peer ids embed
 * it), so a node cannot claim another node's agents.
 */
export const RECORD_PREFIX = '/mielin-agent/'
const enc = new TextEncoder()
const dec = new TextDecoder()

export const recordKey = (agent: string): Uint8Array => enc.encode(`${RECORD_PREFIX}${agent}`)

const body = (e: DirectoryEntry): Uint8Array => enc.encode(JSON.stringify([e.agent, e.node, e.epoch, e.ts]))

export async function signRecord (entry: DirectoryEntry, key: PrivateKey): Promise<Uint8Array> {
  const sig = await key.sign(body(entry))
  return enc.encode(JSON.stringify({ ...entry, sig: Buffer.from(sig).toString('base64') }))
}

const recordSchema = z.object({ agent: z.string(), node: z.string(), epoch: z.int(), ts: z.number(), sig: z.string() })

/** Parses and verifies a record; throws on anything wrong (the DHT validator contract): E_BAD_FRAME naming the bad field for a malformed one. */
export async function verifyRecord (key: Uint8Array, value: Uint8Array): Promise<DirectoryEntry> {
  const r = parseFrame(recordSchema, JSON.parse(dec.decode(value)), 'record')
  if (dec.decode(key) !== `${RECORD_PREFIX}${r.agent}`) throw new Error('directory record stored under another agent\'s key')
  const publicKey = peerIdFromString(r.node).publicKey
  if (publicKey === undefined) throw new Error('directory record names a node without an embedded public key')
  const entry = { agent: r.agent, node: r.node, epoch: r.epoch, ts: r.ts }
  if (!(await publicKey.verify(body(entry), Buffer.from(r.sig, 'base64')))) throw new Error('directory record signature does not verify')
  return entry
}

/** DHT selector: index of the best record (highest epoch, then newest). */
export function selectRecord (_key: Uint8Array, values: Uint8Array[]): number {
  let best = 0
  let bestEntry: { epoch: number, ts: number } | undefined
  values.forEach((v, i) => {
    try {
      const e = JSON.parse(dec.decode(v)) as { epoch: number, ts: number }
      if (bestEntry === undefined || e.epoch > bestEntry.epoch || (e.epoch === bestEntry.epoch && e.ts > bestEntry.ts)) {
        best = i
        bestEntry = e
      }
    } catch { /* a bad record never wins */ }
  })
  return best
}
