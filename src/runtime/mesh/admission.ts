/**
 * Cluster admission: every new connection, in both directions and on every transport, must
 * prove within ~2 s that the peer holds the cluster key, or it is closed and the peer refused.
 *
 * What each layer guarantees (and what it does not):
 * - TCP: @libp2p/pnet XORs the raw socket with XSalsa20 keyed by the cluster key *before*
 *   the TLS/noise handshake. A node without the key sees noise and cannot even negotiate
 *   the handshake; we never speak to it. pnet gives secrecy from outsiders only, not
 *   integrity; integrity and peer authentication come from TLS 1.3 / noise inside.
 * - QUIC: QUIC has its own TLS 1.3 and libp2p skips pnet for it, so *anyone* can complete
 *   a QUIC connection to us. TLS authenticates the peer id, not membership. This module
 *   closes that gap: a challenge–response over `/mielin/admit/1.0.0` with HMAC-SHA256 under
 *   a key derived from the cluster key, over both fresh nonces and both peer ids (so a proof
 *   cannot be replayed nor reused on another connection). Until a connection is admitted,
 *   every `/mielin/*` handler registered through the Mesh, and the DHT (`/mielin/kad/1.0.0`,
 *   see `gateComponents`), waits and then refuses; our own requests wait too, so we never
 *   send cluster data to an unadmitted peer. What an outsider still gets on QUIC before it
 *   is cut off: our peer id and TLS certificate, and libp2p's identify and ping answers
 *   (listen addresses, protocol names, agent version).
 * - A failed or late proof closes the connection and refuses the peer id for `refuseForMs`
 *   at the connection gater (dials and inbound connections), on all transports.
 * - Admission proves "holds the cluster key", nothing more: operator rights are capability
 *   tokens (see ./auth), checked per request.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Connection, ConnectionGater, Libp2pEvents, PeerId, Startable, Stream, StreamHandler, StreamHandlerOptions, Topology, TypedEventTarget } from '@libp2p/interface'
import { defaultLogger, type Logger } from '../logger.js'
import { PeerRefusedError } from './errors.js'
import { FrameStream } from './wire/frame-stream.js'
import { schema } from './wire/schema.js'
import { raceSignal } from './wire/channel.js'

export const ADMIT_PROTOCOL = '/mielin/admit/1.0.0'
const NONCE_BYTES = 32
const MAX_ADMIT_FRAME = 1024

export type AdmissionState = 'pending' | 'admitted' | 'refused'

/** Peers refused lately; the connection gater consults it. */
export class RefusedPeers {
  readonly #until = new Map<string, number>()
  readonly refuseForMs: number

  /** @param refuseForMs how long a peer that failed admission stays refused. @default 30000 */
  constructor (refuseForMs = 30_000) {
    this.refuseForMs = refuseForMs
  }

  add (peer: PeerId | string): void {
    if (this.refuseForMs > 0) this.#until.set(peer.toString(), Date.now() + this.refuseForMs)
  }

  delete (peer: PeerId | string): void { this.#until.delete(peer.toString()) }

  has (peer: PeerId | string): boolean {
    const key = peer.toString()
    const until = this.#until.get(key)
    if (until === undefined) return false
    if (until > Date.now()) return true
    this.#until.delete(key)
    return false
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

interface Rec {
  conn: Connection
  state: AdmissionState
  done: Promise<boolean>
  settle: (ok: boolean) => void
  timer: NodeJS.Timeout
  started: boolean
}

const helloSchema = schema.object({ v: schema.literal(1), nonce: schema.base64({ maxBytes: NONCE_BYTES }) })
const challengeSchema = schema.object({ nonce: schema.base64({ maxBytes: NONCE_BYTES }), mac: schema.base64({ maxBytes: 32 }) })
const proofSchema = schema.object({ mac: schema.base64({ maxBytes: 32 }) })
const okSchema = schema.object({ ok: schema.literal(true) })

/** The admission check, as a libp2p service (`node.services.admission`). */
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
    // a key of its own, so the HMAC and pnet's stream cipher never share key material
    this.#key = Buffer.from(hkdfSync('sha256', init.clusterKey, new Uint8Array(0), 'mielin/admit/1.0.0', 32))
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

  #track (conn: Connection): Rec {
    let rec = this.#recs.get(conn.id)
    if (rec !== undefined) return rec
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
    rec = r
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

  #mac (role: 'I' | 'R', nI: Uint8Array, nR: Uint8Array, idI: string, idR: string): Buffer {
    const h = createHmac('sha256', this.#key)
    for (const part of [Buffer.from(`mielin-admit-v1/${role}`), nI, nR, Buffer.from(idI), Buffer.from(idR)]) {
      const len = Buffer.alloc(4)
      len.writeUInt32BE(part.byteLength)
      h.update(len).update(part)
    }
    return h.digest()
  }

  #deadline (): AbortSignal { return AbortSignal.timeout(this.#timeoutMs) }

  async #initiate (rec: Rec): Promise<void> {
    const signal = this.#deadline()
    let fs: FrameStream | undefined
    try {
      const stream = await rec.conn.newStream(ADMIT_PROTOCOL, { signal })
      fs = new FrameStream(stream, { maxFrameBytes: MAX_ADMIT_FRAME, logger: this.#log })
      const nI = randomBytes(NONCE_BYTES)
      await fs.write({ v: 1, nonce: nI.toString('base64') })
      const ch = await fs.read(challengeSchema, { signal })
      const nR = Buffer.from(ch.nonce, 'base64')
      const idI = this.#c.peerId.toString()
      const idR = rec.conn.remotePeer.toString()
      if (nR.byteLength !== NONCE_BYTES || !equal(Buffer.from(ch.mac, 'base64'), this.#mac('R', nI, nR, idI, idR))) {
        throw new PeerRefusedError('its proof of the cluster key is wrong')
      }
      await fs.write({ mac: this.#mac('I', nI, nR, idI, idR).toString('base64') })
      await fs.read(okSchema, { signal })
      this.#admit(rec)
      await fs.close({ signal: AbortSignal.timeout(1000) })
    } catch (err) {
      fs?.stream.abort(err as Error)
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
    const signal = this.#deadline()
    const fs = new FrameStream(stream, { maxFrameBytes: MAX_ADMIT_FRAME, logger: this.#log })
    void (async () => {
      const hello = await fs.read(helloSchema, { signal })
      const nI = Buffer.from(hello.nonce, 'base64')
      if (nI.byteLength !== NONCE_BYTES) throw new PeerRefusedError('a malformed nonce')
      const nR = randomBytes(NONCE_BYTES)
      const idI = conn.remotePeer.toString()
      const idR = this.#c.peerId.toString()
      await fs.write({ nonce: nR.toString('base64'), mac: this.#mac('R', nI, nR, idI, idR).toString('base64') })
      const proof = await fs.read(proofSchema, { signal })
      if (!equal(Buffer.from(proof.mac, 'base64'), this.#mac('I', nI, nR, idI, idR))) throw new PeerRefusedError('its proof of the cluster key is wrong')
      this.#admit(rec)
      await fs.write({ ok: true })
      await fs.close({ signal: AbortSignal.timeout(1000) })
    })().catch((err: Error) => {
      if (stream.status === 'open') stream.abort(err)
      this.#refuse(rec, err.message)
    })
  }
}

function equal (a: Buffer, b: Buffer): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b)
}

/** The libp2p service factory: `services: { admission: admission(init) }`. */
export function admission (init: AdmissionInit): (components: AdmissionComponents) => Admission {
  return (components) => new Admission(components, init)
}

interface OpenStreamManager {
  openConnection: (peer: never, options?: { signal?: AbortSignal }) => Promise<Connection>
}

/**
 * Hands a libp2p service (kad-dht) a view of the node's components in which its stream
 * handlers and topology callbacks only see admitted connections, and its outgoing streams
 * wait for admission. `get` is called lazily, after the admission service exists.
 */
export function gateComponents<C extends object> (components: C, get: () => Admission): C {
  const wrap = <T extends object>(target: T, overrides: Record<string, unknown>): T => new Proxy(target, {
    get (t, prop) {
      if (typeof prop === 'string' && Object.hasOwn(overrides, prop)) return overrides[prop]
      const v = Reflect.get(t, prop, t) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v
    }
  })
  return new Proxy(components, {
    get (target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown
      if (prop === 'registrar' && typeof value === 'object' && value !== null) {
        const r = value as { handle: AdmissionComponents['registrar']['handle'], register: (p: string, t: Topology) => Promise<string> }
        return wrap(r, {
          handle: async (protocol: string, handler: StreamHandler, options?: StreamHandlerOptions) => { await r.handle(protocol, get().gate(handler), options) },
          register: async (protocol: string, topology: Topology) => await r.register(protocol, {
            filter: topology.filter,
            notifyOnLimitedConnection: topology.notifyOnLimitedConnection,
            onConnect: (peer, conn) => {
              void get().waitAdmitted(conn).then(async (ok) => { if (ok) await topology.onConnect?.(peer, conn) }).catch(() => {})
            },
            onDisconnect: (peer) => topology.onDisconnect?.(peer)
          })
        })
      }
      if (prop === 'connectionManager' && typeof value === 'object' && value !== null) {
        const cm = value as OpenStreamManager
        return wrap(cm, {
          openStream: async (peer: never, protocol: string | string[], options: { signal?: AbortSignal } = {}) => {
            const conn = await cm.openConnection(peer, options)
            if (!await get().waitAdmitted(conn, options.signal)) throw new PeerRefusedError(`${conn.remotePeer.toString()} has not proven the cluster key.`)
            return await conn.newStream(protocol, options)
          }
        })
      }
      return value
    }
  })
}
