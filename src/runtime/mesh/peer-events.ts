/**
 * Admitted peers coming and going, as events. A peer counts as connected from its first
 * admitted connection until libp2p says it has none left, so a second connection (QUIC beside
 * TCP, see fast-path.ts) or a redial does not announce it twice.
 */
import type { Connection, PeerId } from '@libp2p/interface'
import type { Logger } from '../logger.js'

export type MeshPeerEvent =
  | { name: 'mesh:peer:connect', peer: PeerId }
  | { name: 'mesh:peer:disconnect', peer: PeerId }

export class PeerEvents {
  readonly #log: Logger
  readonly #connected = new Set<string>()
  readonly #listeners = new Set<(e: MeshPeerEvent) => void>()

  constructor (components: { logger: Logger }) {
    this.#log = components.logger
  }

  /** Calls `fn` for each event from now on. Returns the unsubscribe function. */
  subscribe (fn: (e: MeshPeerEvent) => void): () => void {
    this.#listeners.add(fn)
    return () => { this.#listeners.delete(fn) }
  }

  /** A connection was admitted (the admission service calls this). */
  admitted (conn: Connection): void {
    const key = conn.remotePeer.toString()
    if (this.#connected.has(key)) return
    this.#connected.add(key)
    this.#emit({ name: 'mesh:peer:connect', peer: conn.remotePeer })
  }

  /** libp2p's `peer:disconnect`: the last connection to `peer` closed. */
  disconnected (peer: PeerId): void {
    if (!this.#connected.delete(peer.toString())) return
    this.#emit({ name: 'mesh:peer:disconnect', peer })
  }

  /** Forgets every peer without events: the mesh stopped, and a restart announces them again. */
  clear (): void { this.#connected.clear() }

  #emit (e: MeshPeerEvent): void {
    for (const l of this.#listeners) {
      // one failing listener must not keep the others (membership, the TUI) from hearing
      try { l(e) } catch (err) { this.#log.error(`mesh peer listener failed: ${(err as Error).message}`) }
    }
  }
}
