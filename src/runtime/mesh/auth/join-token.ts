/**
 * Join tokens: everything a new node needs to enter a cluster, as one copy-pasteable string
 * `mielin1.<base64url>`. A join token CONTAINS THE CLUSTER SECRET: whoever has it can connect
 * to the mesh as a member. Treat it like a password (don't paste it into chats or tickets,
 * don't commit it); capability tokens still limit what operators can do.
 *
 * Layout of the base64url part: cluster key (32 bytes) · admin public key (32 bytes) ·
 * UTF-8 JSON `{ "b": bootstrap[], "n"?: name }` · checksum (first 4 bytes of the SHA-256 of
 * what precedes), so that a mistyped or truncated token is refused rather than misread.
 */
import { createHash } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { ExitCode } from '../../errors.js'
import { TokenMalformedError } from './errors.js'

export const JOIN_TOKEN_PREFIX = 'mielin1.'

/** What a join token carries (a subset of {@link ClusterConfig}, which it can be passed as). */
export interface JoinTokenContent {
  /** The cluster secret, 32 bytes. */
  clusterKey: Uint8Array
  /** The admin's raw ed25519 public key, 32 bytes. */
  adminPublicKey: Uint8Array
  /** Multiaddrs to dial first. */
  bootstrap: string[]
  name?: string
}

const KEY = 32
const SUM = 4
const checksum = (bytes: Uint8Array): Buffer => createHash('sha256').update(bytes).digest().subarray(0, SUM)

/** Encodes a join token. The result contains the cluster secret: treat it like a password. */
export function encodeJoinToken (content: JoinTokenContent): string {
  if (content.clusterKey.byteLength !== KEY || content.adminPublicKey.byteLength !== KEY) {
    throw new TypeError(`clusterKey and adminPublicKey must be ${KEY} bytes each`)
  }
  const rest = Buffer.from(JSON.stringify({ b: content.bootstrap, ...(content.name === undefined ? {} : { n: content.name }) }))
  const body = Buffer.concat([content.clusterKey, content.adminPublicKey, rest])
  return JOIN_TOKEN_PREFIX + Buffer.concat([body, checksum(body)]).toString('base64url')
}

/** What `mielin mesh join` was given: a join token, or the address of a node to dial. */
export type JoinTarget = { kind: 'token', token: string } | { kind: 'address', address: string }

/** HOST:PORT, [IPv6]:PORT: what `mesh.dial` reads as a TCP address. */
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/
/** The most of a refused value an error repeats: it may be part of a secret. */
const ECHO_CHARS = 24

/**
 * Tells a join token from the address of a node (HOST:PORT, a multiaddr, a peer id), and
 * refuses anything else here, before a node is asked: a mistyped token must not be dialed
 * as a host name. Text that starts like a token (`mielin…`, or a JWT's `eyJ`) is a token, so
 * {@link decodeJoinToken} says what is wrong with it.
 */
export function joinTarget (text: string): JoinTarget {
  const compact = text.replace(/\s+/g, '')
  if (/^mielin/i.test(compact) || compact.startsWith('eyJ')) return { kind: 'token', token: compact }
  const address = text.trim()
  if (address.startsWith('/') || HOST_PORT.test(address) || isPeerId(address)) return { kind: 'address', address }
  const echo = address.length > ECHO_CHARS ? `${address.slice(0, ECHO_CHARS)}…` : address
  throw new TokenMalformedError(`"${echo}" is not a join token, nor the HOST:PORT or multiaddr of a node. ` +
    `A join token is one long word that starts with "${JOIN_TOKEN_PREFIX}": \`mielin mesh init\` printed it on the cluster's first node.`, undefined, {
    exitCode: ExitCode.usage,
    suggestions: [
      `mielin mesh join '${JOIN_TOKEN_PREFIX}…' --data-dir DIR   (the whole token \`mielin mesh init\` printed, in quotes)`,
      'mielin mesh join 127.0.0.1:9001 --data-dir DIR   (to make the running node dial a member at HOST:PORT)'
    ]
  })
}

function isPeerId (text: string): boolean {
  try {
    peerIdFromString(text)
    return true
  } catch {
    return false
  }
}

function malformed (why: string): TokenMalformedError {
  return new TokenMalformedError(`That is not a valid join token: ${why}.`, undefined, {
    exitCode: ExitCode.usage,
    suggestions: ['Copy the whole token again (it starts with "mielin1.") from the node that ran `mielin mesh init`, and quote it in the shell']
  })
}

/** Decodes a join token; E_TOKEN_MALFORMED (exit 2) when it is mistyped, truncated or not one. */
export function decodeJoinToken (text: string): JoinTokenContent {
  const token = text.replace(/\s+/g, '')
  if (!token.startsWith(JOIN_TOKEN_PREFIX)) {
    throw malformed(token.startsWith('eyJ') ? 'this is a capability token (a JWT, eyJ…), not a join token' : `it does not start with "${JOIN_TOKEN_PREFIX}"`)
  }
  const encoded = token.slice(JOIN_TOKEN_PREFIX.length)
  const bytes = Buffer.from(encoded, 'base64url')
  // Buffer ignores stray characters and unused trailing bits: insist on the canonical form.
  if (!/^[A-Za-z0-9_-]+$/.test(encoded) || bytes.toString('base64url') !== encoded) throw malformed('it has characters outside base64url')
  if (bytes.byteLength < 2 * KEY + 2 + SUM) throw malformed('it is too short (truncated?)')
  const body = bytes.subarray(0, bytes.byteLength - SUM)
  if (!checksum(body).equals(bytes.subarray(bytes.byteLength - SUM))) throw malformed('its checksum does not match (mistyped or truncated?)')
  let rest: unknown
  try {
    rest = JSON.parse(body.subarray(2 * KEY).toString('utf8'))
  } catch {
    throw malformed('its bootstrap list is unreadable')
  }
  const r = rest as { b?: unknown, n?: unknown } | null
  if (typeof r !== 'object' || r === null || !Array.isArray(r.b) || !r.b.every((a) => typeof a === 'string') ||
    (r.n !== undefined && typeof r.n !== 'string')) {
    throw malformed('its bootstrap list is unreadable')
  }
  return {
    clusterKey: new Uint8Array(body.subarray(0, KEY)),
    adminPublicKey: new Uint8Array(body.subarray(KEY, 2 * KEY)),
    bootstrap: r.b,
    ...(r.n === undefined ? {} : { name: r.n })
  }
}
