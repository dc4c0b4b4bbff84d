/**
 * Capability tokens: what an operator may do, signed by the cluster admin's ed25519 key.
 * `mct1.<base64url JSON claims>.<base64url signature>`, where the signature covers the text
 * `mct1.<base64url JSON claims>` (so there is no JSON canonicalisation to get wrong). Any node
 * verifies them with the admin public key from its cluster.json, offline.
 */
import { randomBytes } from 'node:crypto'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import type { PrivateKey, PublicKey } from '@libp2p/interface'
import { InvalidArgumentError } from '../../errors.js'
import { FIX_ISSUE_TOKEN, TokenExpiredError, TokenForgedError, TokenMalformedError, TokenScopeError } from './errors.js'

export const TOKEN_PREFIX = 'mct1.'
/** Clocks of the issuer and of the verifying node may differ by this much. */
export const CLOCK_SKEW_SECONDS = 30

/** What a token may allow. `admin` implies all the others. */
export const RIGHTS = ['deploy', 'stop', 'migrate', 'send', 'read', 'admin'] as const
export type Right = typeof RIGHTS[number]

export interface TokenClaims {
  v: 1
  /** Who the token is for (a person or a service); shown in logs. */
  sub: string
  rights: Right[]
  /** Namespaces the rights apply in; '*' means all of them. */
  namespaces: string[]
  /** Issued at, seconds since the epoch. */
  iat: number
  /** Expires at, seconds since the epoch. */
  exp: number
  /** A random id, to name (and later revoke) one token. */
  jti: string
}

export interface IssueTokenOptions {
  /** The cluster admin's private key (admin.key). */
  adminKey: PrivateKey
  subject: string
  rights: Right[]
  /** Namespaces, or ['*'] for all. */
  namespaces: string[]
  /** How long the token lasts; see {@link parseDuration}. */
  ttlSeconds: number
  /** The issuing time, as a Date or milliseconds since the epoch. Default: now. */
  now?: Date | number
}

export interface VerifyTokenOptions {
  /** The right the operation needs. */
  right: Right
  /** The namespace the operation acts in. Omitted: a node-wide operation, which needs '*'. */
  namespace?: string
  /** The verification time, as a Date or milliseconds since the epoch. Default: now. */
  now?: Date | number
}

const seconds = (now: Date | number | undefined): number => Math.floor((now === undefined ? Date.now() : +now) / 1000)
const enc = new TextEncoder()

/** Signs a capability token with the admin key. */
export async function issueToken (options: IssueTokenOptions): Promise<string> {
  if (options.adminKey.type !== 'Ed25519') throw new InvalidArgumentError(`The admin key must be an Ed25519 key, not ${options.adminKey.type}.`)
  if (options.subject.trim() === '') throw new InvalidArgumentError('A token needs a subject (who it is for).')
  const rights = [...new Set(options.rights)]
  if (rights.length === 0) throw new InvalidArgumentError(`A token needs at least one right: ${RIGHTS.join(', ')}.`)
  for (const r of rights) if (!RIGHTS.includes(r)) throw InvalidArgumentError.choice('right', r, RIGHTS)
  const namespaces = [...new Set(options.namespaces)]
  if (namespaces.length === 0 || namespaces.some((n) => n.trim() === '')) {
    throw new InvalidArgumentError('A token needs at least one namespace (or "*" for all).', undefined, { suggestions: ['--namespace default'] })
  }
  if (!Number.isFinite(options.ttlSeconds) || options.ttlSeconds <= 0) {
    throw new InvalidArgumentError(`A token's lifetime must be more than zero seconds, not ${options.ttlSeconds}.`, undefined, { suggestions: ['--ttl 1h'] })
  }
  const iat = seconds(options.now)
  const claims: TokenClaims = {
    v: 1, sub: options.subject, rights, namespaces, iat, exp: iat + Math.ceil(options.ttlSeconds), jti: randomBytes(12).toString('base64url')
  }
  const signed = TOKEN_PREFIX + Buffer.from(JSON.stringify(claims)).toString('base64url')
  const signature = await options.adminKey.sign(enc.encode(signed))
  return `${signed}.${Buffer.from(signature).toString('base64url')}`
}

function malformed (why: string): TokenMalformedError {
  return new TokenMalformedError(`That is not a valid capability token: ${why}.`, undefined, {
    suggestions: ['Copy the whole token again (it starts with "mct1.")', `Or ask the cluster admin for a new one: ${FIX_ISSUE_TOKEN}`]
  })
}

function base64url (part: string, what: string): Buffer {
  const bytes = Buffer.from(part, 'base64url')
  if (!/^[A-Za-z0-9_-]+$/.test(part) || bytes.toString('base64url') !== part) throw malformed(`its ${what} is not base64url`)
  return bytes
}

function isClaims (c: any): c is TokenClaims {
  return typeof c === 'object' && c !== null && c.v === 1 && typeof c.sub === 'string' &&
    Array.isArray(c.rights) && c.rights.every((r: unknown) => RIGHTS.includes(r as Right)) &&
    Array.isArray(c.namespaces) && c.namespaces.every((n: unknown) => typeof n === 'string' && n !== '') &&
    Number.isSafeInteger(c.iat) && Number.isSafeInteger(c.exp) && typeof c.jti === 'string'
}

/**
 * The claims of a token WITHOUT checking its signature or expiry: for display only (for
 * example when it expires). Throws E_TOKEN_MALFORMED.
 */
export function readTokenClaims (token: string): TokenClaims {
  return split(token).claims
}

function split (token: string): { claims: TokenClaims, signed: string, signature: Buffer } {
  const text = token.trim()
  if (!text.startsWith(TOKEN_PREFIX)) {
    throw malformed(text.startsWith('mielin1.') ? 'this is a join token (mielin1.), not a capability token' : `it does not start with "${TOKEN_PREFIX}"`)
  }
  const parts = text.slice(TOKEN_PREFIX.length).split('.')
  if (parts.length !== 2) throw malformed('it should have two parts after "mct1.", separated by a dot')
  const [body, sig] = parts as [string, string]
  const signature = base64url(sig, 'signature')
  if (signature.byteLength !== 64) throw malformed('its signature is truncated')
  let claims: unknown
  try {
    claims = JSON.parse(base64url(body, 'claims').toString('utf8'))
  } catch (err) {
    if (err instanceof TokenMalformedError) throw err
    throw malformed('its claims are not JSON')
  }
  if (!isClaims(claims)) throw malformed('its claims are not those of a version 1 token')
  return { claims, signed: TOKEN_PREFIX + body, signature }
}

function adminPublic (key: Uint8Array | PublicKey): PublicKey {
  if (key instanceof Uint8Array && key.byteLength !== 32) throw new InvalidArgumentError(`An admin public key has 32 bytes, not ${key.byteLength}.`)
  const pub = key instanceof Uint8Array ? publicKeyFromRaw(key) : key
  if (pub.type !== 'Ed25519') throw new InvalidArgumentError(`The admin public key must be an Ed25519 key, not ${pub.type}.`)
  return pub
}

function ago (s: number): string {
  if (s < 90) return `${s} s`
  if (s < 90 * 60) return `${Math.round(s / 60)} min`
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`
  return `${Math.round(s / 86400)} days`
}

/**
 * Checks a token: signed by the admin key, not expired (allowing {@link CLOCK_SKEW_SECONDS}),
 * and granting `right` in `namespace`. Returns its claims, or throws E_TOKEN_MALFORMED,
 * E_TOKEN_FORGED, E_TOKEN_EXPIRED or E_TOKEN_SCOPE (all exit code 5).
 */
export async function verifyToken (token: string, adminPublicKey: Uint8Array | PublicKey, options: VerifyTokenOptions): Promise<TokenClaims> {
  const { claims, signed, signature } = split(token)
  if (!await adminPublic(adminPublicKey).verify(enc.encode(signed), signature)) {
    throw new TokenForgedError(`This token (for "${claims.sub}") was not signed by this cluster's admin key: it was altered, or it belongs to another cluster.`, undefined, {
      suggestions: [`Ask this cluster's admin for a token: ${FIX_ISSUE_TOKEN}`]
    })
  }
  const now = seconds(options.now)
  if (now > claims.exp + CLOCK_SKEW_SECONDS) {
    throw new TokenExpiredError(`This token (for "${claims.sub}") expired at ${new Date(claims.exp * 1000).toISOString()}, ${ago(now - claims.exp)} ago.`, undefined, {
      suggestions: [`Ask the cluster admin for a new one: ${FIX_ISSUE_TOKEN}`]
    })
  }
  const ns = options.namespace ?? '*'
  const hasRight = claims.rights.includes(options.right) || claims.rights.includes('admin')
  const hasNamespace = claims.namespaces.includes('*') || claims.namespaces.includes(ns)
  if (!hasRight || !hasNamespace) {
    const needs = [
      hasRight ? undefined : `the right "${options.right}" (it has: ${claims.rights.join(', ')})`,
      hasNamespace ? undefined : `${ns === '*' ? 'all namespaces ("*")' : `the namespace "${ns}"`} (it covers: ${claims.namespaces.join(', ')})`
    ].filter((s) => s !== undefined)
    throw new TokenScopeError(`This token (for "${claims.sub}") does not grant ${needs.join(' nor ')}.`, undefined, {
      suggestions: [`Ask the cluster admin for a token that does: mielin token issue --rights ${options.right} --namespace ${ns === '*' ? "'*'" : ns} --ttl 1h`]
    })
  }
  return claims
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 }

/** Seconds in a duration such as `30s`, `15m`, `1h` or `7d`; InvalidArgumentError otherwise. */
export function parseDuration (text: string): number {
  const m = /^\s*(\d+)\s*([smhd])\s*$/i.exec(text)
  const value = m === null ? 0 : Number(m[1]) * (UNITS[m[2]!.toLowerCase()] ?? 0)
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`"${text}" is not a duration. Use a positive whole number and a unit: 30s (seconds), 15m (minutes), 1h (hours) or 7d (days).`, undefined, {
      suggestions: ['--ttl 1h']
    })
  }
  return value
}

/** The rights in a comma-separated list such as `deploy,send`; InvalidArgumentError names the valid ones. */
export function parseRights (text: string): Right[] {
  const rights = text.split(',').map((r) => r.trim()).filter((r) => r !== '')
  if (rights.length === 0) throw new InvalidArgumentError(`No rights given. Valid rights: ${RIGHTS.join(', ')}.`, undefined, { suggestions: ['--rights deploy,send'] })
  for (const r of rights) if (!RIGHTS.includes(r as Right)) throw InvalidArgumentError.choice('right', r, RIGHTS)
  return [...new Set(rights)] as Right[]
}
