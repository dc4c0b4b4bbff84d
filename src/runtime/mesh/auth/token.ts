/**
 * Capability tokens: what an operator may do, as a standard JWT (compact JWS, alg EdDSA) signed
 * by the cluster admin's Ed25519 key. Any JWT tool decodes one; any node verifies it offline
 * with the admin public key from its cluster.json.
 *
 * @example
 * ```ts
 * const token = await issueToken({ adminKey, subject: 'alice', rights: ['deploy'], namespaces: ['default'], ttlSeconds: 3600 })
 * const claims = await verifyToken(token, adminKey.publicKey, { right: 'deploy', namespace: 'default' })
 * ```
 */
import { randomBytes } from 'node:crypto'
import type { PrivateKey, PublicKey } from '@libp2p/interface'
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose'
import { InvalidArgumentError } from '../../errors.js'
import { FIX_ISSUE_TOKEN, TokenExpiredError, TokenForgedError, TokenScopeError } from './errors.js'
import { malformed, readTokenClaims, RIGHTS, type Right, type TokenClaims } from './token-claims.js'
import { signingKey, TOKEN_ALGORITHM, verifyingKey } from './token-keys.js'

/**
 * How long after its expiry a node still accepts a token: the clocks of the machine that
 * issued it and of the node that checks it may differ by this much.
 */
export const CLOCK_SKEW_SECONDS = 30

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

const millis = (now: Date | number | undefined): number => now === undefined ? Date.now() : +now
const seconds = (now: Date | number | undefined): number => Math.floor(millis(now) / 1000)

/** Signs a capability token with the admin key. */
export async function issueToken (options: IssueTokenOptions): Promise<string> {
  const key = await signingKey(options.adminKey)
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
  return await new SignJWT({ rights, namespaces })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: 'JWT' })
    .setSubject(options.subject)
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.ceil(options.ttlSeconds))
    .setJti(randomBytes(12).toString('base64url'))
    .sign(key)
}

function ago (s: number): string {
  if (s < 90) return `${s} s`
  if (s < 90 * 60) return `${Math.round(s / 60)} min`
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`
  return `${Math.round(s / 86400)} days`
}

/** Checks the signature and expiry with jose, and turns its errors into ones an operator can act on. */
async function checkSignature (token: string, claims: TokenClaims, adminPublicKey: Uint8Array | PublicKey, now: Date | number | undefined): Promise<void> {
  try {
    await jwtVerify(token.trim(), await verifyingKey(adminPublicKey), {
      algorithms: [TOKEN_ALGORITHM], clockTolerance: CLOCK_SKEW_SECONDS, currentDate: new Date(millis(now))
    })
  } catch (err) {
    if (err instanceof errors.JWSSignatureVerificationFailed) {
      throw new TokenForgedError(`This token (for "${claims.sub}") was not signed by this cluster's admin key: it was altered, or it belongs to another cluster.`, undefined, {
        cause: err, suggestions: [`Ask this cluster's admin for a token: ${FIX_ISSUE_TOKEN}`]
      })
    }
    if (err instanceof errors.JWTExpired) {
      throw new TokenExpiredError(`This token (for "${claims.sub}") expired at ${new Date(claims.exp * 1000).toISOString()}, ${ago(seconds(now) - claims.exp)} ago.`, undefined, {
        cause: err, suggestions: [`Ask the cluster admin for a new one: ${FIX_ISSUE_TOKEN}`]
      })
    }
    if (err instanceof errors.JOSEAlgNotAllowed) {
      throw malformed(`it is signed with ${String(decodeProtectedHeader(token.trim()).alg)}, and capability tokens with ${TOKEN_ALGORITHM}`, err)
    }
    // A bad header, an `nbf` in the future…: not a token `mielin token issue` makes.
    if (err instanceof errors.JOSEError) throw malformed(err.message, err)
    throw err
  }
}

/**
 * Checks a token: signed by the admin key, not expired (allowing {@link CLOCK_SKEW_SECONDS}),
 * and granting `right` in `namespace`. Returns its claims, or throws E_TOKEN_MALFORMED,
 * E_TOKEN_FORGED, E_TOKEN_EXPIRED or E_TOKEN_SCOPE (all exit code 5).
 */
export async function verifyToken (token: string, adminPublicKey: Uint8Array | PublicKey, options: VerifyTokenOptions): Promise<TokenClaims> {
  const claims = readTokenClaims(token)
  await checkSignature(token, claims, adminPublicKey, options.now)
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
