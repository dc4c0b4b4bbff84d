/**
 * Reaching other nodes: dialling an address until the peer is admitted, finding the
 * connection a stream should use, and keeping at a join address until it answers.
 * A Dialer lives for one run of the mesh: it is built at start with the running node and
 * the signal that aborts when the mesh stops.
 */
import type { Connection, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Multiaddr } from '@multiformats/multiaddr'
import { AbortedError, InvalidArgumentError, throwIfAborted } from '../errors.js'
import type { Logger } from '../logger.js'
import { dialError, notAdmittedError } from './error-mapping.js'
import { PeerRefusedError } from './errors.js'
import { preferredConnection } from './fast-path.js'
import { toDialTarget, type MeshLibp2p } from './libp2p.js'

export interface DialerInit {
  /** Time a dial may take, admission included. @default 10000 */
  dialTimeoutMs?: number
  /** First wait between join attempts; it doubles up to 30 s. @default 500 */
  joinRetryMs?: number
}

export interface DialerComponents {
  node: MeshLibp2p
  /** Aborts when the mesh stops: ends dials in progress and join retries. */
  stopSignal: AbortSignal
  logger: Logger
}

const MAX_JOIN_RETRY_MS = 30_000

export class Dialer {
  readonly #c: DialerComponents
  readonly #dialTimeoutMs: number
  readonly #joinRetryMs: number

  constructor (components: DialerComponents, init: DialerInit = {}) {
    this.#c = components
    this.#dialTimeoutMs = init.dialTimeoutMs ?? 10_000
    this.#joinRetryMs = init.joinRetryMs ?? 500
  }

  /** Connects to `addr` (multiaddr, peer id or `HOST:PORT`) and waits until the peer is admitted. */
  async dial (addr: string | Multiaddr | PeerId, options: { signal?: AbortSignal, timeoutMs?: number } = {}): Promise<PeerId> {
    throwIfAborted(options.signal)
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.#dialTimeoutMs)
    const signal = AbortSignal.any([timeout, this.#c.stopSignal, ...(options.signal === undefined ? [] : [options.signal])])
    const target = typeof addr === 'string' ? await toDialTarget(addr) : addr
    const what = addr.toString()
    let conn: Connection
    try {
      conn = await this.#c.node.dial(target, { signal })
    } catch (err) {
      throw dialError(err, what, options.signal)
    }
    const admitted = await this.#c.node.services.admission.waitAdmitted(conn, signal).catch(() => false)
    if (options.signal?.aborted === true) throw new AbortedError('Aborted.')
    if (!admitted) throw notAdmittedError(what, conn.remotePeer.toString())
    return conn.remotePeer
  }

  /**
   * An open, admitted connection to `peer`: an existing one (see fast-path.ts for which),
   * one still being admitted, or a new dial. Errors are libp2p's, for the caller to map.
   */
  async connection (peer: PeerId, signal: AbortSignal): Promise<Connection> {
    const { node } = this.#c
    const admission = node.services.admission
    const conns = node.getConnections(peer).filter((c) => c.status === 'open')
    const ready = await preferredConnection(conns, admission, signal)
    if (ready !== undefined) return ready
    for (const c of conns) {
      if (admission.state(c) === 'pending' && await admission.waitAdmitted(c, signal)) return c
    }
    const conn = await node.dial(peer, { signal })
    if (!await admission.waitAdmitted(conn, signal)) throw new PeerRefusedError(`${peer.toString()} did not pass the cluster check.`)
    return conn
  }

  /**
   * Dials `addr` until it answers or the mesh stops, waiting longer after each failure: a
   * node started before the one it joins should find it once that one is up.
   */
  async keepJoining (addr: string): Promise<void> {
    const log = this.#c.logger
    const stopped = this.#c.stopSignal
    let wait = this.#joinRetryMs
    while (!stopped.aborted) {
      try {
        const peer = await this.dial(addr)
        log(`joined ${addr} (${peer.toString()})`)
        return
      } catch (err) {
        // stopping ends the retries: routine, not an error
        if (stopped.aborted) { log(`stopped joining ${addr}: ${(err as Error).message}`); return }
        // a malformed address will not get better by waiting
        if (err instanceof InvalidArgumentError) { log.error(`cannot join ${addr}: ${(err as Error).message}`); return }
        log(`cannot join ${addr} yet: ${(err as Error).message}; retrying in ${wait} ms`)
      }
      await sleep(wait, stopped)
      wait = Math.min(wait * 2, MAX_JOIN_RETRY_MS)
    }
  }
}

/** A peer id, from its text if need be. */
export function toPeerId (peer: PeerId | string): PeerId {
  if (typeof peer !== 'string') return peer
  try {
    return peerIdFromString(peer)
  } catch (err) {
    throw new InvalidArgumentError(`"${peer}" is not a peer id.`, undefined, { cause: err })
  }
}

/** Waits `ms`, or less if `signal` aborts first (a stopping mesh does not wait out a 30 s retry). */
async function sleep (ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  await new Promise<void>((resolve) => {
    const done = (): void => { clearTimeout(timer); signal.removeEventListener('abort', done); resolve() }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}
