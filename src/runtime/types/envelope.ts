/** One message between agents (the WIT `envelope`); payloads are JSON text. */
export interface Envelope {
  id: string
  from: string
  to: string
  /** Per-sender sequence number, from 1; receivers can drop duplicates by (from, seq). */
  seq: bigint
  kind: EnvelopeKind
  payload: string
  replyTo?: string
  /** W3C traceparent. */
  trace?: string
}

export type EnvelopeKind = 'message' | 'request' | 'reply'

/** Largest payload the kernel accepts, bytes of JSON text. */
export const MAX_PAYLOAD_BYTES = 1 << 20
