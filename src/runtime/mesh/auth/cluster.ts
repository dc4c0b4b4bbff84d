import path from 'node:path'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { ClusterConfigError, ClusterExistsError, NoAdminKeyError, NoClusterError } from './errors.js'
import { createSecretFile, readIfExists, writeSecretFile } from './files.js'
import { decodePrivateKey } from './identity.js'
import { decodeJoinToken, encodeJoinToken, type JoinTokenContent } from './join-token.js'

/** The cluster membership of a node: the cluster secret, the admin's public key, peers to dial (mode 0600). */
export const CLUSTER_FILE = 'cluster.json'
/** The cluster admin's ed25519 private key; only on the node that ran `mielin mesh init` (mode 0600). */
export const ADMIN_KEY_FILE = 'admin.key'
/** Bytes of the cluster secret. */
export const CLUSTER_KEY_LENGTH = 32

const FIX_NO_CLUSTER = 'mielin mesh init (first node) or mielin mesh join TOKEN (the others)'

/** What `cluster.json` holds (binary fields are base64 in the file). */
export interface ClusterConfig {
  /**
   * The cluster secret (32 random bytes): a node must hold it to connect to the others at all
   * (it becomes the libp2p private-network key, see {@link pskBytes}). Treat it like a password.
   */
  clusterKey: Uint8Array
  /** The cluster admin's raw ed25519 public key (32 bytes): it verifies capability tokens. */
  adminPublicKey: Uint8Array
  /** Multiaddrs of nodes to dial when starting, usually with their `/p2p/<peer id>`. */
  bootstrap: string[]
  /** A name for people; not used for security. */
  name?: string
}

export interface InitClusterOptions {
  /** Multiaddrs other nodes should dial first; they go into the join token. Default []. */
  bootstrap?: string[]
  /** A name for the cluster. Default none. */
  name?: string
  /** Replace an existing cluster.json and admin.key (this node leaves its old cluster). Default false. */
  force?: boolean
}

export interface InitClusterResult {
  config: ClusterConfig
  clusterKey: Uint8Array
  /** The admin's private key, also saved as admin.key. */
  adminKey: Ed25519PrivateKey
  /** What the other nodes pass to `mielin mesh join`. It contains the cluster secret. */
  joinToken: string
}

function existsError (dataDir: string): ClusterExistsError {
  const file = path.join(dataDir, CLUSTER_FILE)
  return new ClusterExistsError(`This data dir already belongs to a cluster (${file}).`, undefined, {
    suggestions: [
      `To use another data dir: --data-dir <other dir>`,
      'To leave the old cluster and start a new one here: mielin mesh init --force (the old join tokens and capability tokens stop working on this node)'
    ]
  })
}

/**
 * Starts a new cluster in `dataDir`: a random cluster key and a new admin key pair, saved as
 * cluster.json and admin.key (both 0600), and the join token for the other nodes.
 */
export async function initCluster (dataDir: string, options: InitClusterOptions = {}): Promise<InitClusterResult> {
  const adminKey = await generateKeyPair('Ed25519')
  const config: ClusterConfig = {
    clusterKey: new Uint8Array(randomBytes(CLUSTER_KEY_LENGTH)),
    adminPublicKey: adminKey.publicKey.raw,
    bootstrap: [...(options.bootstrap ?? [])],
    ...(options.name === undefined ? {} : { name: options.name })
  }
  const file = path.join(dataDir, CLUSTER_FILE)
  if (options.force === true) {
    await writeSecretFile(file, serializeCluster(config))
  } else if (!await createSecretFile(file, serializeCluster(config))) {
    throw existsError(dataDir)
  }
  await writeSecretFile(path.join(dataDir, ADMIN_KEY_FILE), privateKeyToProtobuf(adminKey))
  return { config, clusterKey: config.clusterKey, adminKey, joinToken: encodeJoinToken(config) }
}

/**
 * Makes `dataDir` a member of the cluster a join token describes. Joining the same cluster
 * again just updates the bootstrap list; joining another one needs `force`.
 */
export async function joinCluster (dataDir: string, token: string | JoinTokenContent, options: { force?: boolean } = {}): Promise<ClusterConfig> {
  const content = typeof token === 'string' ? decodeJoinToken(token) : token
  const config: ClusterConfig = { ...content, bootstrap: [...content.bootstrap] }
  if (options.force !== true) {
    const current = await loadCluster(dataDir).catch((err: unknown) => {
      if (err instanceof NoClusterError) return undefined
      throw err
    })
    if (current !== undefined && !sameCluster(current, config)) throw existsError(dataDir)
  }
  await saveCluster(dataDir, config)
  return config
}

function sameCluster (a: ClusterConfig, b: ClusterConfig): boolean {
  return timingSafeEqual(a.clusterKey, b.clusterKey) && Buffer.from(a.adminPublicKey).equals(b.adminPublicKey)
}

/** Reads `<dataDir>/cluster.json`; E_NO_CLUSTER when this node has not joined a cluster. */
export async function loadCluster (dataDir: string): Promise<ClusterConfig> {
  const file = path.join(dataDir, CLUSTER_FILE)
  const text = await readIfExists(file)
  if (text === undefined) {
    throw new NoClusterError(`This node belongs to no cluster yet (no ${file}).`, undefined, { suggestions: [FIX_NO_CLUSTER] })
  }
  return parseCluster(text.toString('utf8'), file)
}

/** Writes `<dataDir>/cluster.json` atomically with mode 0600. */
export async function saveCluster (dataDir: string, config: ClusterConfig): Promise<void> {
  await writeSecretFile(path.join(dataDir, CLUSTER_FILE), serializeCluster(config))
}

/** The admin's private key from `<dataDir>/admin.key`; E_NO_ADMIN_KEY on nodes that did not run `mesh init`. */
export async function loadAdminKey (dataDir: string): Promise<Ed25519PrivateKey> {
  const file = path.join(dataDir, ADMIN_KEY_FILE)
  const bytes = await readIfExists(file)
  if (bytes === undefined) {
    throw new NoAdminKeyError(`No cluster admin key here (${file}): only the node that ran \`mielin mesh init\` can issue tokens.`, undefined, {
      suggestions: ['Run this command on the node that created the cluster, or pass its --data-dir']
    })
  }
  return decodePrivateKey(bytes, file, `Restore ${file} from a backup; without it no new tokens can be issued (mielin mesh init --force starts a new cluster).`)
}

/**
 * The cluster key as the swarm-key text @libp2p/pnet's `preSharedKey({ psk })` parses:
 * "/key/swarm/psk/1.0.0/\n/base16/\n<64 hex digits>", as bytes.
 */
export function pskBytes (clusterKey: Uint8Array): Uint8Array {
  if (clusterKey.byteLength !== CLUSTER_KEY_LENGTH) {
    throw new ClusterConfigError(`A cluster key has ${CLUSTER_KEY_LENGTH} bytes, not ${clusterKey.byteLength}.`)
  }
  return new TextEncoder().encode(`/key/swarm/psk/1.0.0/\n/base16/\n${Buffer.from(clusterKey).toString('hex')}`)
}

function serializeCluster (config: ClusterConfig): string {
  return JSON.stringify({
    clusterKey: Buffer.from(config.clusterKey).toString('base64'),
    adminPublicKey: Buffer.from(config.adminPublicKey).toString('base64'),
    bootstrap: config.bootstrap,
    ...(config.name === undefined ? {} : { name: config.name })
  }, null, 2) + '\n'
}

function parseCluster (text: string, file: string): ClusterConfig {
  const bad = (why: string, cause?: unknown): ClusterConfigError => new ClusterConfigError(`${file} is not a valid cluster config: ${why}.`, undefined, {
    cause,
    suggestions: [`Move it aside and join the cluster again to rewrite it: mv ${file} ${file}.bad && mielin mesh join TOKEN --data-dir ${path.dirname(file)}`]
  })
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw bad((err as Error).message, err)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('not a JSON object')
  const o = raw as Record<string, unknown>
  const bytes = (field: string, length: number): Uint8Array => {
    const v = o[field]
    const b = typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v) ? Buffer.from(v, 'base64') : undefined
    if (b?.byteLength !== length) throw bad(`"${field}" must be ${length} bytes in base64`)
    return new Uint8Array(b)
  }
  const bootstrap = o.bootstrap ?? []
  if (!Array.isArray(bootstrap) || !bootstrap.every((a) => typeof a === 'string')) throw bad('"bootstrap" must be a list of multiaddr strings')
  if (o.name !== undefined && typeof o.name !== 'string') throw bad('"name" must be a string')
  return {
    clusterKey: bytes('clusterKey', CLUSTER_KEY_LENGTH),
    adminPublicKey: bytes('adminPublicKey', 32),
    bootstrap,
    ...(o.name === undefined ? {} : { name: o.name })
  }
}
