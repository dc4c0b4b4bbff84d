import { z } from 'zod'
import { json } from '../mesh/index.js'
import { MAX_GRANT_CHARS, MAX_GRANTS, MAX_PAYLOAD_BYTES, type Envelope } from '../types/index.js'

/** Wire forms of the node-to-node protocols: every field checked, every size bounded. */

export const IPC_PROTOCOL = '/mielin/ipc/1.0.0'
export const NODE_PROTOCOL = '/mielin/node/1.0.0'

const id = z.string().min(1).max(256)

export const envelopeSchema = z.object({
  id: z.string().min(1).max(128),
  from: id,
  to: id,
  seq: z.string().min(1).max(24).regex(/^\d+$/),
  kind: z.enum(['message', 'request', 'reply']),
  payload: z.string().max(MAX_PAYLOAD_BYTES),
  replyTo: z.string().max(128).optional(),
  trace: z.string().max(256).optional(),
  /** Capabilities the sender delegates; the receiving kernel grants them (kernel/delegation.ts). */
  grants: z.array(z.string().min(6).max(MAX_GRANT_CHARS).regex(/^send:/)).max(MAX_GRANTS).optional()
})
export type WireEnvelope = z.infer<typeof envelopeSchema>

export const toWire = (e: Envelope): WireEnvelope => ({ ...e, seq: e.seq.toString() })
export const fromWire = (w: WireEnvelope): Envelope => ({
  id: w.id, from: w.from, to: w.to, seq: BigInt(w.seq), kind: w.kind, payload: w.payload,
  ...(w.replyTo !== undefined ? { replyTo: w.replyTo } : {}), ...(w.trace !== undefined ? { trace: w.trace } : {}),
  ...(w.grants !== undefined ? { grants: w.grants } : {})
})

/** The hot path: envelopes one way, and requests whose reply comes back on the channel. */
export const ipcSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('deliver'), envelope: envelopeSchema }),
  z.object({ op: z.literal('request'), from: id, to: id, payload: z.string().max(MAX_PAYLOAD_BYTES), timeoutMs: z.int().min(1).max(3_600_000) })
])

const hash = z.string().length(64).regex(/^[0-9a-f]{64}$/)

/** Node-to-node administration (members of the cluster trust each other). */
export const nodeSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('agents') }),
  z.object({ op: z.literal('has'), id }),
  z.object({ op: z.literal('inspect'), id }),
  z.object({ op: z.literal('stop'), id }),
  z.object({ op: z.literal('logs'), id, after: z.int().min(0).optional() }),
  // a stream: the lines after `after`, then each new one (`agent logs --follow`)
  z.object({ op: z.literal('follow'), id, after: z.int().min(0).optional() }),
  z.object({
    op: z.literal('deploy'),
    hash,
    manifest: json({ maxDepth: 6 }),
    id,
    namespace: z.string().min(1).max(64),
    caps: z.array(z.string().max(80)).max(64).optional(),
    /** New code for the agent running under `id` here, keeping its state. */
    replace: z.boolean().optional()
  }),
  // one owner per id: a node claims an id from its arbiter before running it (id-arbiter.ts)
  z.object({ op: z.literal('claim'), id, node: id, replace: z.boolean().optional() }),
  z.object({ op: z.literal('settle'), id, node: id, epoch: z.int().min(1), ok: z.boolean() }),
  z.object({ op: z.literal('blob'), hash, offset: z.int().min(0) })
])
export type NodeRequest = z.infer<typeof nodeSchema>
