/**
 * The admission check as a libp2p service (`node.services.admission`): it runs the handshake
 * (./handshake.ts) on every new connection, the side that dialled starting it, and keeps
 * each connection's state. A connection that fails or is late is closed and its peer refused
 * (./refused-peers.ts). Handlers wait for the verdict through `gate` and `waitAdmitted`.
 */
import type { Connection, Libp2pEvents, PeerId, Startable, Stream, StreamHandler, StreamHandlerOptions, TypedEventTarget } from '@libp2p/interface'
import { defaultLogger, type Logger } from '../../logger.js'
import { PeerRefusedError } from '../errors.js'
import { raceSignal } from '../wire/index.js'
import { ADMIT_PROTOCOL, admissionKey, initiate, respond } from './handshake.js'
import type { RefusedPeers } from './refused-peers.js'

export type AdmissionState = 'pending' | 'admitted' | 'refused'

export interface AdmissionInit {
  /** The 32-byte cluster key. */
  clusterKey: Uint8Array
  /** Time from a connection opening until both sides must have proven the key. @default 2000 */
  timeoutMs?: number
  refused: RefusedPeers
  logger?: Logger
}

export interface AdmissionComponents {
  peerId: PeerId
  events: TypedEventTarget<Libp2pEvents>
  registrar: {
    handle: (protocol: string, handler: StreamHandler, options?: StreamHandlerOptions) => Promise<void>
    unhandle: (protocol: string) => Promise<void>
  }
}

/** One connection's admission. */
interface Rec {
  conn: Connection
  state: AdmissionState
  done: Promise<boolean>
  settle: (ok: boolean) => void
  timer: NodeJS.Timeout
  /** The responder's handshake has begun: a second admission stream is an attack or a bug. */
  started: boolean
}

export class Admission implements Startable {
  readonly #c: AdmissionComponents
  readonly #key: Buffer
  readonly #timeoutMs: number
  readonly #refused: RefusedPeers
  readonly #log: Logger
  readonly #recs = new Map<string, Rec>()
  readonly #listeners = new Set<(conn: Connection) => void>()
  #started = false

  constructor (components: AdmissionComponents, init: AdmissionInit) {
    this.#c = components
    this.#key = admissionKey(init.clusterKey)
    this.#timeoutMs = init.timeoutMs ?? 2000
    this.#refused = init.refused
    this.#log = init.logger ?? defaultLogger('mesh:admission')
  }

  readonly [Symbol.toStringTag] = 'mielin/admission'

  async start (): Promise<void> {
    await this.#c.registrar.handle(ADMIT_PROTOCOL, (stream, conn) => { this.#respond(stream, conn) }, { maxInboundStreams: 2, maxOutboundStreams: 2 })
    this.#c.events.addEventListener('connection:open', this.#onOpen)
    this.#c.events.addEventListener('connection:close', this.#onClose)
    this.#started = true
  }

  async stop (): Promise<void> {
    this.#started = false
    this.#c.events.removeEventListener('connection:open', this.#onOpen)
    this.#c.events.removeEventListener('connection:close', this.#onClose)
    await this.#c.registrar.unhandle(ADMIT_PROTOCOL).catch(() => {})
    for (const rec of this.#recs.values()) { clearTimeout(rec.timer); rec.settle(false) }
    this.#recs.clear()
  }

  get refused (): RefusedPeers { return this.#refused }

  state (conn: Connection): AdmissionState { return this.#track(conn).state }

  isAdmitted (conn: Connection): boolean { return this.#recs.get(conn.id)?.state === 'admitted' }

  /** Resolves true once `conn` is admitted, false when it is refused or closes first. */
  async waitAdmitted (conn: Connection, signal?: AbortSignal): Promise<boolean> {
    const rec = this.#track(conn)
    if (rec.state !== 'pending') return rec.state === 'admitted'
    return await raceSignal(rec.done, signal)
  }

  /** Calls `fn` for each connection admitted from now on. */
  onAdmitted (fn: (conn: Connection) => void): () => void {
    this.#listeners.add(fn)
    return () => { this.#listeners.delete(fn) }
  }

  /** Wraps a stream handler: streams from a connection that is not (yet) admitted wait, then are refused. */
  gate (handler: StreamHandler): StreamHandler {
    return async (stream, conn) => {
      if (this.isAdmitted(conn) || await this.waitAdmitted(conn)) {
        await handler(stream, conn)
        return
      }
      stream.abort(new PeerRefusedError(`${conn.remotePeer.toString()} has not proven the cluster key.`))
    }
  }

  readonly #onOpen = (evt: CustomEvent<Connection>): void => { this.#track(evt.detail) }

  readonly #onClose = (evt: CustomEvent<Connection>): void => {
    const rec = this.#recs.get(evt.detail.id)
    if (rec === undefined) return
    clearTimeout(rec.timer)
    rec.settle(false)
    this.#recs.delete(evt.detail.id)
  }

  /** The record of `conn`, made on first sight: the clock starts, and the dialling side starts the handshake. */
  #track (conn: Connection): Rec {
    const known = this.#recs.get(conn.id)
    if (known !== undefined) return known
    let settle!: (ok: boolean) => void
    const done = new Promise<boolean>((resolve) => { settle = resolve })
    const r: Rec = {
      conn,
      state: 'pending',
      done,
      settle: (ok) => { if (r.state === 'pending') r.state = ok ? 'admitted' : 'refused'; settle(ok) },
      timer: setTimeout(() => { this.#refuse(r, `no proof of the cluster key within ${this.#timeoutMs} ms`) }, this.#timeoutMs),
      started: false
    }
    if (conn.status !== 'open' || !this.#started) {
      clearTimeout(r.timer)
      r.settle(false)
      return r
    }
    this.#recs.set(conn.id, r)
    if (conn.direction === 'outbound') void this.#initiate(r)
    return r
  }

  #admit (rec: Rec): void {
    if (rec.state !== 'pending') return
    clearTimeout(rec.timer)
    rec.settle(true)
    this.#log(`admitted ${rec.conn.remotePeer.toString()} (${rec.conn.direction} ${rec.conn.remoteAddr.toString()})`)
    for (const l of this.#listeners) {
      try { l(rec.conn) } catch (err) { this.#log.error(`admission listener failed: ${(err as Error).message}`) }
    }
  }

  #refuse (rec: Rec, why: string): void {
    if (rec.state !== 'pending') return
    clearTimeout(rec.timer)
    rec.settle(false)
    const peer = rec.conn.remotePeer
    this.#refused.add(peer)
    this.#log(`refused ${peer.toString()} (${rec.conn.remoteAddr.toString()}): ${why}`)
    rec.conn.abort(new PeerRefusedError(`${peer.toString()} was refused: ${why}.`))
  }

  #handshake (rec: Rec, localPeer: string, remotePeer: string): Parameters<typeof initiate>[1] {
    return { key: this.#key, localPeer, remotePeer, signal: AbortSignal.timeout(this.#timeoutMs), onProven: () => { this.#admit(rec) }, logger: this.#log }
  }

  async #initiate (rec: Rec): Promise<void> {
    const options = this.#handshake(rec, this.#c.peerId.toString(), rec.conn.remotePeer.toString())
    try {
      const stream = await rec.conn.newStream(ADMIT_PROTOCOL, { signal: options.signal })
      await initiate(stream, options)
    } catch (err) {
      this.#refuse(rec, (err as Error).message)
    }
  }

  #respond (stream: Stream, conn: Connection): void {
    const rec = this.#track(conn)
    if (conn.direction === 'outbound' || rec.started || rec.state !== 'pending') {
      stream.abort(new PeerRefusedError('unexpected admission stream'))
      return
    }
    rec.started = true
    respond(stream, this.#handshake(rec, this.#c.peerId.toString(), conn.remotePeer.toString()))
      .catch((err: Error) => { this.#refuse(rec, err.message) })
  }
}

/** The libp2p service factory: `services: { admission: admission(init) }`. */
export function admission (init: AdmissionInit): (components: AdmissionComponents) => Admission {
  return (components) => new Admission(components, init)
}
