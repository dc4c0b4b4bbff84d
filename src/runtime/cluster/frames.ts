import { schema, type Infer } from '../mesh/index.js'
import { MAX_GRANT_CHARS, MAX_GRANTS, MAX_PAYLOAD_BYTES, type Envelope } from '../types/index.js'

/** Wire forms of the node-to-node protocols: every field checked, every size bounded. */

export const IPC_PROTOCOL = '/mielin/ipc/1.0.0'
export const NODE_PROTOCOL = '/mielin/node/1.0.0'

const id = schema.string({ min: 1, max: 256 })

export const envelopeSchema = schema.object({
  id: schema.string({ min: 1, max: 128 }),
  from: id,
  to: id,
  seq: schema.string({ min: 1, max: 24, pattern: /^\d+$/ }),
  kind: schema.oneOf(['message', 'request', 'reply']),
  payload: schema.string({ max: MAX_PAYLOAD_BYTES }),
  replyTo: schema.optional(schema.string({ max: 128 })),
  trace: schema.optional(schema.string({ max: 256 })),
  /** Capabilities the sender delegates; the receiving kernel grants them (kernel/delegation.ts). */
  grants: schema.optional(schema.array(schema.string({ min: 6, max: MAX_GRANT_CHARS, pattern: /^send:/ }), { max: MAX_GRANTS }))
})
export type WireEnvelope = Infer<typeof envelopeSchema>

export const toWire = (e: Envelope): WireEnvelope => ({ ...e, seq: e.seq.toString() })
export const fromWire = (w: WireEnvelope): Envelope => ({
  id: w.id, from: w.from, to: w.to, seq: BigInt(w.seq), kind: w.kind, payload: w.payload,
  ...(w.replyTo !== undefined ? { replyTo: w.replyTo } : {}), ...(w.trace !== undefined ? { trace: w.trace } : {}),
  ...(w.grants !== undefined ? { grants: w.grants } : {})
})

/** The hot path: envelopes one way, and requests whose reply comes back on the channel. */
export const ipcSchema = schema.variant('op', {
  deliver: schema.object({ op: schema.literal('deliver'), envelope: envelopeSchema }),
  request: schema.object({ op: schema.literal('request'), from: id, to: id, payload: schema.string({ max: MAX_PAYLOAD_BYTES }), timeoutMs: schema.integer({ min: 1, max: 3_600_000 }) })
})

/** Node-to-node administration (members of the cluster trust each other). */
export const nodeSchema = schema.variant('op', {
  agents: schema.object({ op: schema.literal('agents') }),
  has: schema.object({ op: schema.literal('has'), id }),
  inspect: schema.object({ op: schema.literal('inspect'), id }),
  stop: schema.object({ op: schema.literal('stop'), id }),
  logs: schema.object({ op: schema.literal('logs'), id, after: schema.optional(schema.integer({ min: 0 })) }),
  // a stream: the lines after `after`, then each new one (`agent logs --follow`)
  follow: schema.object({ op: schema.literal('follow'), id, after: schema.optional(schema.integer({ min: 0 })) }),
  deploy: schema.object({
    op: schema.literal('deploy'),
    hash: schema.string({ min: 64, max: 64, pattern: /^[0-9a-f]{64}$/ }),
    manifest: schema.json({ maxDepth: 6 }),
    id,
    namespace: schema.string({ min: 1, max: 64 }),
    caps: schema.optional(schema.array(schema.string({ max: 80 }), { max: 64 }))
  }),
  blob: schema.object({ op: schema.literal('blob'), hash: schema.string({ min: 64, max: 64, pattern: /^[0-9a-f]{64}$/ }), offset: schema.integer({ min: 0 }) })
})
export type NodeRequest = Infer<typeof nodeSchema>
