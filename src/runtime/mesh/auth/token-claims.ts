/**
 * What a capability token says: the JWT claims set, checked by one zod schema. Reading claims
 * here does NOT check the signature or the expiry; `verifyToken` does.
 */
import { base64url, decodeJwt, decodeProtectedHeader } from 'jose'
import { z } from 'zod'
import { FIX_ISSUE_TOKEN, TokenMalformedError } from './errors.js'
import { JOIN_TOKEN_PREFIX } from './join-token.js'

/** What a token may allow. `admin` implies all the others. */
export const RIGHTS = ['deploy', 'stop', 'migrate', 'send', 'read', 'admin'] as const
export type Right = typeof RIGHTS[number]

/**
 * The claims of a token. `sub`, `iat`, `exp` and `jti` are the registered JWT claims (RFC 7519);
 * `rights` and `namespaces` are mielin's own. Claims other tools add are ignored.
 */
export const tokenClaimsSchema = z.object({
  /** Who the token is for (a person or a service); shown in logs. */
  sub: z.string().min(1),
  rights: z.array(z.enum(RIGHTS)).min(1),
  /** Namespaces the rights apply in; '*' means all of them. */
  namespaces: z.array(z.string().min(1)).min(1),
  /** Issued at, seconds since the epoch. */
  iat: z.int(),
  /** Expires at, seconds since the epoch. */
  exp: z.int(),
  /** A random id, to name (and later revoke) one token. */
  jti: z.string().min(1)
})

export type TokenClaims = z.infer<typeof tokenClaimsSchema>

/** Tokens before they were JWTs started so; an operator may still hold one. */
const OLD_TOKEN_PREFIX = 'mct1.'

/** Bytes in an Ed25519 signature: a shorter one was cut when the token was copied. */
const SIGNATURE_BYTES = 64

export function malformed (why: string, cause?: unknown): TokenMalformedError {
  return new TokenMalformedError(`That is not a valid capability token: ${why}.`, undefined, {
    cause,
    suggestions: ['Copy the whole token again (it starts with "eyJ")', `Or ask the cluster admin for a new one: ${FIX_ISSUE_TOKEN}`]
  })
}

/**
 * The claims of a token WITHOUT checking its signature or expiry: for display only (for
 * example when it expires). Throws E_TOKEN_MALFORMED.
 */
export function readTokenClaims (token: string): TokenClaims {
  const text = token.trim()
  if (text.startsWith(JOIN_TOKEN_PREFIX)) throw malformed('this is a join token (mielin1.), not a capability token')
  if (text.startsWith(OLD_TOKEN_PREFIX)) throw malformed(`it is in the old "${OLD_TOKEN_PREFIX}" format, which nodes no longer accept`)
  let payload: unknown
  try {
    decodeProtectedHeader(text)
    payload = decodeJwt(text)
  } catch (err) {
    throw malformed(`it is not a JSON Web Token, three base64url parts separated by dots (${(err as Error).message})`, err)
  }
  // A signature cut short by a copy-paste would otherwise read as a forgery.
  let signature: Uint8Array
  try {
    signature = base64url.decode(text.split('.')[2] ?? '')
  } catch (err) {
    throw malformed('its signature is not base64url', err)
  }
  if (signature.byteLength !== SIGNATURE_BYTES) throw malformed('its signature is truncated')
  const claims = tokenClaimsSchema.safeParse(payload)
  if (!claims.success) {
    const issue = claims.error.issues[0]
    throw malformed(`its claims are not those of a capability token (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`, claims.error)
  }
  return claims.data
}
