/**
 * Peers that failed admission lately. The connection gater consults it, so for `refuseForMs`
 * a refused peer can neither dial us nor be dialled, on any transport: an outsider that keeps
 * reconnecting costs us a table look-up, not a handshake.
 */
import type { ConnectionGater, PeerId } from '@libp2p/interface'

export class RefusedPeers {
  readonly #until = new Map<string, number>()
  readonly #now: () => number
  readonly refuseForMs: number

  /**
   * @param refuseForMs how long a peer that failed admission stays refused; 0 refuses no one. @default 30000
   * @param now the clock (tests pass their own)
   */
  constructor (refuseForMs = 30_000, now: () => number = Date.now) {
    this.refuseForMs = refuseForMs
    this.#now = now
  }

  /** Refuses `peer` for `refuseForMs` from now (a peer refused again: from this time). */
  add (peer: PeerId | string): void {
    if (this.refuseForMs > 0) this.#until.set(peer.toString(), this.#now() + this.refuseForMs)
  }

  delete (peer: PeerId | string): void { this.#until.delete(peer.toString()) }

  has (peer: PeerId | string): boolean {
    const key = peer.toString()
    const until = this.#until.get(key)
    if (until === undefined) return false
    if (until > this.#now()) return true
    // forgotten on the first look after expiry, so the table does not grow with old outsiders
    this.#until.delete(key)
    return false
  }

  /** How many peers are refused right now (expired ones are dropped as they are counted). */
  get size (): number {
    for (const key of [...this.#until.keys()]) this.has(key)
    return this.#until.size
  }

  /** A connection gater that denies refused peers, dialling and inbound. */
  gater (): ConnectionGater {
    return {
      denyDialPeer: (peer) => this.has(peer),
      denyInboundEncryptedConnection: (peer) => this.has(peer),
      denyOutboundEncryptedConnection: (peer) => this.has(peer)
    }
  }
}
