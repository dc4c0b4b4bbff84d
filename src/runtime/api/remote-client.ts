import { generateKeyPair } from '@libp2p/crypto/keys'
import { errorFromBody } from '../rpc/index.js'
import { throwIfAborted } from '../errors.js'
import { loadCluster } from '../mesh/index.js'
import { Mesh } from '../mesh/index.js'
import { CONTROL_PROTOCOL } from './frames.js'

/**
 * One control call to a node of the cluster from another machine: a short-lived libp2p
 * client with a throw-away identity. It needs the cluster secret (the data dir must have
 * joined the cluster) to connect at all, and a capability token for the method.
 */
export async function callRemote<T> (init: { dataDir: string, remote: string, token: string, signal?: AbortSignal }, method: string, params: unknown): Promise<T> {
  throwIfAborted(init.signal)
  const cluster = await loadCluster(init.dataDir)
  const mesh = new Mesh({ privateKey: await generateKeyPair('Ed25519'), clusterKey: cluster.clusterKey, host: '127.0.0.1', port: 0, transports: ['tcp'] })
  await mesh.start({ signal: init.signal })
  try {
    const peer = await mesh.dial(init.remote, { signal: init.signal })
    const r = await mesh.request<{ result?: T, error?: unknown }>(peer, CONTROL_PROTOCOL, { token: init.token, method, params: params ?? {} }, { signal: init.signal, timeoutMs: 120_000, maxFrameBytes: 32 * 2 ** 20 })
    if (r.error !== undefined) throw errorFromBody(r.error)
    return r.result as T
  } finally {
    await mesh.stop()
  }
}
