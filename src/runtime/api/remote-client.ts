import { generateKeyPair } from '@libp2p/crypto/keys'
import { throwIfAborted } from '../errors.js'
import { loadCluster, Mesh } from '../mesh/index.js'
import { RpcClient, type Channel } from '../rpc/index.js'
import { CONTROL_PROTOCOL } from './frames.js'

export interface RemoteTarget {
  /** A data dir that joined the cluster: its cluster key lets this client in. */
  dataDir: string
  /** The node to ask: a multiaddr or HOST:PORT. */
  remote: string
  /** The capability token sent with every request. */
  token: string
  signal?: AbortSignal
}

/** How long a call to a node on another machine may take (a deploy sends the whole component). */
export const REMOTE_CALL_TIMEOUT_MS = 120_000

/**
 * A client of a node of the cluster on another machine: a short-lived libp2p node with a
 * throw-away identity, one RPC channel on the control protocol. It needs the cluster secret
 * (the data dir must have joined the cluster) to connect at all, and a capability token for
 * each method. Calls and streams work as on the local socket; `close` stops the libp2p node.
 */
export class RemoteControlClient extends RpcClient {
  readonly #mesh: Mesh

  private constructor (channel: Channel, mesh: Mesh, token: string) {
    // a node on another machine can hang or be cut off without closing the connection
    super(channel, { token, callTimeoutMs: REMOTE_CALL_TIMEOUT_MS })
    this.#mesh = mesh
  }

  static async connect (target: RemoteTarget): Promise<RemoteControlClient> {
    throwIfAborted(target.signal)
    const cluster = await loadCluster(target.dataDir)
    const mesh = new Mesh({}, { privateKey: await generateKeyPair('Ed25519'), clusterKey: cluster.clusterKey, host: '127.0.0.1', port: 0, transports: ['tcp'] })
    await mesh.start({ signal: target.signal })
    try {
      const peer = await mesh.dial(target.remote, { signal: target.signal })
      const channel = mesh.channel(peer, CONTROL_PROTOCOL)
      return new RemoteControlClient(channel, mesh, target.token)
    } catch (err) {
      await mesh.stop()
      throw err
    }
  }

  override async close (): Promise<void> {
    try {
      await super.close()
    } finally {
      await this.#mesh.stop()
    }
  }
}
