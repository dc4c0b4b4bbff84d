import { randomUUID } from 'node:crypto'
import { InvalidInputError } from '../errors.js'
import { MAX_GRANT_CHARS, MAX_GRANTS, MAX_PAYLOAD_BYTES, type Envelope } from '../types/index.js'

const KINDS = new Set(['message', 'request', 'reply'])

export const newMessageId = (): string => randomUUID()

/** Checks an envelope from outside (a CLI, a peer, a worker); a bad one is refused, never delivered. */
export function checkEnvelope (e: Envelope): Envelope {
  const bad = (why: string): never => {
    throw new InvalidInputError(`Malformed message: ${why}.`, 'E_BAD_MESSAGE', { suggestions: ['Send a JSON payload to an existing agent id.'] })
  }
  for (const f of ['id', 'from', 'to', 'payload'] as const) if (typeof e[f] !== 'string') bad(`"${f}" must be a string`)
  if (!KINDS.has(e.kind)) bad(`"kind" must be message, request or reply, got ${String(e.kind)}`)
  if (typeof e.seq !== 'bigint' || e.seq < 1n) bad('"seq" must be a positive integer')
  if (Buffer.byteLength(e.payload) > MAX_PAYLOAD_BYTES) bad(`the payload is over ${MAX_PAYLOAD_BYTES} bytes`)
  if (e.grants !== undefined && !validGrants(e.grants)) bad(`"grants" must list at most ${MAX_GRANTS} names like send:<agent>, each at most ${MAX_GRANT_CHARS} characters`)
  try {
    JSON.parse(e.payload)
  } catch {
    bad('the payload is not valid JSON')
  }
  return e
}

/** Only send capabilities can be delegated, and only a bounded number of them. */
const validGrants = (grants: unknown): boolean => Array.isArray(grants) && grants.length <= MAX_GRANTS &&
  grants.every((g) => typeof g === 'string' && g.length > 5 && g.length <= MAX_GRANT_CHARS && g.startsWith('send:'))
