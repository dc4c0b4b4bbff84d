/**
 * Admission for libp2p services that register their own protocols (kad-dht): a view of the
 * node's components in which the service's stream handlers and topology callbacks only see
 * admitted connections, and its outgoing streams wait for admission. The Mesh gates its own
 * handlers with `Admission.gate`; this does the same for code we do not write.
 */
import type { Connection, StreamHandler, StreamHandlerOptions, Topology } from '@libp2p/interface'
import { PeerRefusedError } from '../errors.js'
import type { Admission } from './admission-service.js'

/** The parts of the registrar and connection manager that gateComponents replaces. */
interface Registrar {
  handle: (protocol: string, handler: StreamHandler, options?: StreamHandlerOptions) => Promise<void>
  register: (protocol: string, topology: Topology) => Promise<string>
}
interface ConnectionManager {
  openConnection: (peer: never, options?: { signal?: AbortSignal }) => Promise<Connection>
}

/** `target`, with the methods in `overrides` swapped; its other methods keep `target` as `this`. */
function override<T extends object> (target: T, overrides: Record<string, unknown>): T {
  return new Proxy(target, {
    get (t, prop) {
      if (typeof prop === 'string' && Object.hasOwn(overrides, prop)) return overrides[prop]
      const v = Reflect.get(t, prop, t) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v
    }
  })
}

function gateRegistrar (r: Registrar, get: () => Admission): Registrar {
  return override(r, {
    handle: async (protocol: string, handler: StreamHandler, options?: StreamHandlerOptions) => { await r.handle(protocol, get().gate(handler), options) },
    register: async (protocol: string, topology: Topology) => await r.register(protocol, {
      filter: topology.filter,
      notifyOnLimitedConnection: topology.notifyOnLimitedConnection,
      // the DHT adds a peer to its routing table on connect: only once it is one of us
      onConnect: (peer, conn) => {
        void get().waitAdmitted(conn).then(async (ok) => { if (ok) await topology.onConnect?.(peer, conn) }).catch(() => {})
      },
      onDisconnect: (peer) => topology.onDisconnect?.(peer)
    })
  })
}

function gateConnectionManager (cm: ConnectionManager, get: () => Admission): ConnectionManager {
  return override(cm, {
    openStream: async (peer: never, protocol: string | string[], options: { signal?: AbortSignal } = {}) => {
      const conn = await cm.openConnection(peer, options)
      if (!await get().waitAdmitted(conn, options.signal)) throw new PeerRefusedError(`${conn.remotePeer.toString()} has not proven the cluster key.`)
      return await conn.newStream(protocol, options)
    }
  })
}

/**
 * The node's `components`, with the registrar and connection manager gated by admission.
 * `get` is called lazily, at the first stream or connection: libp2p builds the services in
 * order, and the admission service may not exist yet when this view is made.
 */
export function gateComponents<C extends object> (components: C, get: () => Admission): C {
  return new Proxy(components, {
    get (target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown
      if (typeof value !== 'object' || value === null) return value
      if (prop === 'registrar') return gateRegistrar(value as Registrar, get)
      if (prop === 'connectionManager') return gateConnectionManager(value as ConnectionManager, get)
      return value
    }
  })
}
