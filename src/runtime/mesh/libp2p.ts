/**
 * Builds the libp2p node of a mesh node: TCP and QUIC on one host:port, TLS 1.3 (or noise)
 * and yamux on TCP, identify, ping, a Kademlia DHT under `/mielin/kad/1.0.0`, optional
 * bootstrap and mDNS discovery, and the cluster's private network: pnet on TCP plus the
 * admission check on every connection (see ./admission for what each layer guarantees).
 */
import { createHash } from 'node:crypto'
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { quic } from '@chainsafe/libp2p-quic'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { bootstrap } from '@libp2p/bootstrap'
import { identify, type Identify } from '@libp2p/identify'
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import { kadDHT, passthroughMapper, type KadDHT, type Selectors, type Validators } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { ping, type Ping } from '@libp2p/ping'
import { preSharedKey } from '@libp2p/pnet'
import { tcp } from '@libp2p/tcp'
import { tls } from '@libp2p/tls'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { InvalidArgumentError } from '../errors.js'
import type { Logger } from '../logger.js'
import { Admission, admission, gateComponents, RefusedPeers } from './admission/index.js'
import { CLUSTER_KEY_LENGTH, pskBytes } from './auth/index.js'
import { ClusterKeyError, NodeUnreachableError } from './errors.js'
import { fixXsalsa20 } from './xsalsa20-fix.js'

fixXsalsa20() // before any pnet connection: see xsalsa20-fix.ts

export const KAD_PROTOCOL = '/mielin/kad/1.0.0'

export type Transport = 'tcp' | 'quic'
export type Encryption = 'tls' | 'noise'

export interface MeshLibp2pServices extends Record<string, unknown> {
  admission: Admission
  identify: Identify
  ping: Ping
  dht: KadDHT
}

export type MeshLibp2p = Libp2p<MeshLibp2pServices>

export interface DhtInit {
  validators?: Validators
  selectors?: Selectors
  /** Peers per k-bucket; also how many peers a lookup starts from and converges on. @default 20 */
  kBucketSize?: number
  /**
   * Depth of kad-dht's routing-table trie: it splits any full bucket down to this many bits,
   * so the table holds up to kBucketSize × 2^prefixLength peers. @default 6
   */
  prefixLength?: number
}

export interface Libp2pNodeInit {
  /** The node's identity (ed25519); its peer id is derived from it. */
  privateKey: PrivateKey
  /** The 32-byte cluster key: without it no one connects (TCP) or is admitted (any transport). */
  clusterKey: Uint8Array
  /** Address to bind. @default '127.0.0.1' */
  host?: string
  /** Port for both TCP and QUIC (UDP); 0 picks free ones (then they differ). @default 0 */
  port?: number
  /** Transports to listen and dial on. @default ['tcp', 'quic'] */
  transports?: Transport[]
  /** Encryption on TCP (QUIC always uses its own TLS 1.3). @default 'tls' */
  encryption?: Encryption
  /** Multiaddrs with `/p2p/<peer id>` to dial at start and keep in the peer store. @default [] */
  bootstrap?: string[]
  /** Find peers on the LAN by multicast DNS (a service tag derived from the cluster key). @default false */
  mdns?: boolean
  /** Addresses to announce instead of the listening ones (e.g. behind NAT). @default the listen addresses */
  announce?: string[]
  /** How long a new connection has to prove the cluster key. @default 2000 */
  admissionTimeoutMs?: number
  /** How long a peer that failed admission is refused. @default 30000 */
  refuseForMs?: number
  /** DHT record validators and selectors per key namespace (`/mielin/...` keys need both), and routing-table tuning. */
  dht?: DhtInit
  /** Most connections at once. @default 300 */
  maxConnections?: number
  /** Start listening before returning. @default true */
  start?: boolean
  logger?: Logger
}

/** Checks the cluster key and returns the bytes pnet wants (the `swarm.key` format). */
export function swarmKey (clusterKey: Uint8Array): Uint8Array {
  if (!(clusterKey instanceof Uint8Array) || clusterKey.byteLength !== CLUSTER_KEY_LENGTH) {
    throw new ClusterKeyError(`A cluster key has ${CLUSTER_KEY_LENGTH} bytes, not ${clusterKey?.byteLength ?? 'none'}.`, undefined, {
      suggestions: ['Use the key from `mielin mesh init` (cluster.json in the data dir).']
    })
  }
  return pskBytes(clusterKey)
}

export function listenAddrs (host: string, port: number, transports: readonly Transport[]): string[] {
  const ip = host.includes(':') ? `ip6/${host}` : `ip4/${host}`
  return transports.map((t) => t === 'tcp' ? `/${ip}/tcp/${port}` : `/${ip}/udp/${port}/quic-v1`)
}

export async function createLibp2pNode (init: Libp2pNodeInit): Promise<MeshLibp2p> {
  const psk = swarmKey(init.clusterKey)
  const transports = init.transports ?? ['tcp', 'quic']
  const refused = new RefusedPeers(init.refuseForMs)
  let admissionService: Admission | undefined
  const getAdmission = (): Admission => {
    if (admissionService === undefined) throw new Error('the admission service is not built yet')
    return admissionService
  }
  const withPeerId = (init.bootstrap ?? []).filter((a) => a.includes('/p2p/'))
  // a tag of its own per cluster, so that LAN neighbours of other clusters are not even tried
  const mdnsTag = `_mielin-${createHash('sha256').update('mielin-mdns').update(init.clusterKey).digest('hex').slice(0, 12)}._udp.local`

  return await createLibp2p<MeshLibp2pServices>({
    start: init.start ?? true,
    privateKey: init.privateKey,
    addresses: {
      listen: listenAddrs(init.host ?? '127.0.0.1', init.port ?? 0, transports),
      ...(init.announce === undefined ? {} : { announce: init.announce })
    },
    transports: transports.map((t) => t === 'tcp' ? tcp() : quic()),
    // pnet wraps stream transports only (TCP); QUIC connections skip it, admission covers them
    connectionProtector: preSharedKey({ psk }),
    connectionEncrypters: [init.encryption === 'noise' ? noise() : tls()],
    streamMuxers: [yamux()],
    connectionGater: refused.gater(),
    connectionManager: {
      // the default (5 per second per host) refuses the quick redials of a busy mesh on one host
      inboundConnectionThreshold: 1000,
      maxConnections: init.maxConnections ?? 300,
      dialTimeout: 5000
    },
    peerDiscovery: [
      ...(withPeerId.length > 0 ? [bootstrap({ list: withPeerId, timeout: 100 })] : []),
      ...(init.mdns === true ? [mdns({ serviceTag: mdnsTag, interval: 5000 })] : [])
    ],
    services: {
      // first: the DHT's view of the components needs it
      admission: (components) => {
        admissionService = admission({ clusterKey: init.clusterKey, timeoutMs: init.admissionTimeoutMs, refused, logger: init.logger })(components)
        return admissionService
      },
      identify: identify(),
      ping: ping(),
      dht: (components) => kadDHT({
        protocol: KAD_PROTOCOL,
        clientMode: false,
        kBucketSize: init.dht?.kBucketSize,
        prefixLength: init.dht?.prefixLength,
        // keep every address, private ones included: a cluster on one LAN or host is the
        // common case and the default mapper would keep those peers out of the routing table
        peerInfoMapper: passthroughMapper,
        validators: { ...init.dht?.validators },
        selectors: { ...init.dht?.selectors }
      })(gateComponents(components, getAdmission))
    }
  })
}

/**
 * What `mesh.dial` accepts, made dialable: a multiaddr, a peer id, or `HOST:PORT` (TCP;
 * `[v6]:PORT` too; a host name is resolved to IPv4).
 */
export async function toDialTarget (addr: string): Promise<Multiaddr | PeerId> {
  const s = addr.trim()
  if (s.startsWith('/')) {
    try { return multiaddr(s) } catch (err) { throw new InvalidArgumentError(`"${s}" is not a valid multiaddr: ${(err as Error).message}`) }
  }
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(s)
  if (m === null) {
    try { return peerIdFromString(s) } catch { /* not a peer id either: say what is accepted */ }
    throw new InvalidArgumentError(`"${s}" is neither HOST:PORT, a multiaddr, nor a peer id.`, undefined, { suggestions: ['Example: 10.0.0.5:4001 or /ip4/10.0.0.5/tcp/4001/p2p/12D3Koo…'] })
  }
  const [, host, portText] = m as unknown as [string, string, string]
  const port = Number(portText)
  if (port < 1 || port > 65535) throw new InvalidArgumentError(`Port ${port} is out of range (1-65535).`)
  if (isIP(host) === 6) return multiaddr(`/ip6/${host}/tcp/${port}`)
  if (isIP(host) === 4) return multiaddr(`/ip4/${host}/tcp/${port}`)
  try {
    const { address } = await lookup(host, { family: 4 })
    return multiaddr(`/ip4/${address}/tcp/${port}`)
  } catch (err) {
    throw new NodeUnreachableError(`Cannot resolve "${host}" to an IPv4 address.`, undefined, { cause: err, suggestions: ['Check the host name, or give the IP address.'] })
  }
}
