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
  /**
   * Capabilities the sender delegates to the receiver with this message (`send:<id>`), which
   * the sender's kernel checked it holds; the receiver's kernel grants them on arrival.
   */
  grants?: string[]
}

export type EnvelopeKind = 'message' | 'request' | 'reply'

/** Most capabilities one message may delegate, and the longest name of one. */
export const MAX_GRANTS = 64
export const MAX_GRANT_CHARS = 80

/** Largest payload the kernel accepts, bytes of JSON text. */
export const MAX_PAYLOAD_BYTES = 1 << 20
