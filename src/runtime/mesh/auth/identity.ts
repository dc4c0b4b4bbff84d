import path from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { ClusterConfigError } from './errors.js'
import { createSecretFile, readIfExists } from './files.js'

/** The node's libp2p private key (its peer id), protobuf bytes, mode 0600. */
export const IDENTITY_FILE = 'identity.key'

/** Decodes an ed25519 private key file written by this module; `fix` is the suggestion when it is bad. */
export function decodePrivateKey (bytes: Uint8Array, file: string, fix: string): Ed25519PrivateKey {
  let key
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new ClusterConfigError(`${file} is not a libp2p private key (${(err as Error).message}).`, undefined, { cause: err, suggestions: [fix] })
  }
  if (key.type !== 'Ed25519') {
    throw new ClusterConfigError(`${file} holds a ${key.type} key; mielin uses Ed25519 keys.`, undefined, { suggestions: [fix] })
  }
  return key
}

/**
 * The node's identity: its ed25519 libp2p private key, read from `<dataDir>/identity.key`, or
 * made and saved (mode 0600) on first use. Safe against two processes starting at once: both
 * end up with the same key.
 *
 * @example
 * ```ts
 * const privateKey = await loadOrCreateIdentity(dataDir)
 * const node = await createLibp2p({ privateKey })
 * ```
 */
export async function loadOrCreateIdentity (dataDir: string): Promise<Ed25519PrivateKey> {
  const file = path.join(dataDir, IDENTITY_FILE)
  const fix = `Restore ${file} from a backup, or delete it to give this node a new peer id (update the bootstrap addresses that name the old one).`
  const existing = await readIfExists(file)
  if (existing !== undefined) return decodePrivateKey(existing, file, fix)
  const key = await generateKeyPair('Ed25519')
  if (await createSecretFile(file, privateKeyToProtobuf(key))) return key
  // Another process created it between our read and our write: theirs wins.
  const winner = await readIfExists(file)
  if (winner === undefined) throw new ClusterConfigError(`${file} vanished while being created.`, undefined, { suggestions: [fix] })
  return decodePrivateKey(winner, file, fix)
}
