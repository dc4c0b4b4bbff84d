/**
 * The cluster admin key, which is a libp2p Ed25519 key, as the keys `jose` signs and verifies
 * JWTs with. Both are the same Ed25519 key pair: only the wrapping changes (a JWK, RFC 8037).
 */
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import type { PrivateKey, PublicKey } from '@libp2p/interface'
import { base64url, importJWK } from 'jose'
import { InvalidArgumentError } from '../../errors.js'

/** The JWS algorithm of capability tokens: Ed25519 signatures (RFC 8037). */
export const TOKEN_ALGORITHM = 'EdDSA'

/** Bytes in an Ed25519 seed (the private half) and in a public key. */
const ED25519_BYTES = 32

type JoseKey = Awaited<ReturnType<typeof importJWK>>

/** The admin private key as a jose signing key. */
export async function signingKey (adminKey: PrivateKey): Promise<JoseKey> {
  if (adminKey.type !== 'Ed25519') throw new InvalidArgumentError(`The admin key must be an Ed25519 key, not ${adminKey.type}.`)
  // libp2p keeps seed and public key together in `raw` (64 bytes); a JWK wants them apart.
  const seed = adminKey.raw.subarray(0, ED25519_BYTES)
  return await importJWK({ kty: 'OKP', crv: 'Ed25519', d: base64url.encode(seed), x: base64url.encode(adminKey.publicKey.raw) }, TOKEN_ALGORITHM)
}

/** The admin public key (32 raw bytes, as cluster.json holds it, or a libp2p key) as a jose verifying key. */
export async function verifyingKey (key: Uint8Array | PublicKey): Promise<JoseKey> {
  if (key instanceof Uint8Array && key.byteLength !== ED25519_BYTES) {
    throw new InvalidArgumentError(`An admin public key has ${ED25519_BYTES} bytes, not ${key.byteLength}.`)
  }
  const pub = key instanceof Uint8Array ? publicKeyFromRaw(key) : key
  if (pub.type !== 'Ed25519') throw new InvalidArgumentError(`The admin public key must be an Ed25519 key, not ${pub.type}.`)
  return await importJWK({ kty: 'OKP', crv: 'Ed25519', x: base64url.encode(pub.raw) }, TOKEN_ALGORITHM)
}
