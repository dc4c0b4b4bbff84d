import type { Connection, PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import type { Multiaddr } from '@multiformats/multiaddr'
import { AbortedError, InvalidArgumentError, MielinError, throwIfAborted } from '../errors.js'
import { defaultLogger, type Logger } from '../logger.js'
import type { Admission } from './admission.js'
import { MeshStoppedError, MeshTimeoutError, NodeUnreachableError, PeerRefusedError, ProtocolUnsupportedError, StreamClosedError, refusedRecently } from './errors.js'
import { preferredConnection, upgradeToQuic } from './fast-path.js'
import { createLibp2pNode, toDialTarget, type Libp2pNodeInit, type MeshLibp2p } from './libp2p.js'
import { Channel, type ChannelHandler, type ChannelHandlerEntry, type ChannelOptions } from './wire/channel.js'
import { DEFAULT_MAX_FRAME_BYTES } from './wire/codec.js'
import { requestOnce, serveRequest, type RequestHandler } from './wire/rpc.js'
import type { Frame, Schema } from './wire/schema.js'

export type MeshStatus = 'stopped' | 'starting' | 'started' | 'stopping'

export interface MeshInit extends Omit<Libp2pNodeInit, 'start' | 'logger'> {
  /** Nodes to dial at start, as multiaddrs or `HOST:PORT` (TCP); retried in the background until reached. @default [] */
  join?: string[]
  /** Default time a request may take, dial included. @default 10000 */
  requestTimeoutMs?: number
  /** Time a dial may take. @default 10000 */
  dialTimeoutMs?: number
  /** Default largest frame of a protocol. @default 1 MiB */
  maxFrameBytes?: number
}

export interface MeshComponents {
  logger?: Logger
}

export interface HandleOptions {
  /** Largest request (and answer) frame. @default the mesh's maxFrameBytes */
  maxFrameBytes?: number
  /** Streams of this protocol one connection may have open at once. @default 256 (one-shot), 16 (channel) */
  maxInboundStreams?: number
}

export interface MeshRequestOptions<T> {
  signal?: AbortSignal
  /** @default the mesh's requestTimeoutMs */
  timeoutMs?: number
  /** Checks the answer. @default any JSON object */
  schema?: Schema<T>
  maxFrameBytes?: number
}

export type MeshPeerEvent =
  | { name: 'mesh:peer:connect', peer: PeerId }
  | { name: 'mesh:peer:disconnect', peer: PeerId }

const PROTOCOL = /^\/mielin\/[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*\/\d+\.\d+\.\d+$/

/** `/mielin/<name>/1.0.0`: how every mielin protocol is named. */
export function meshProtocol (name: string, version = '1.0.0'): string {
  const p = `/mielin/${name}/${version}`
  if (!PROTOCOL.test(p)) throw new InvalidArgumentError(`"${p}" is not a mielin protocol name (/mielin/<name>/<x.y.z>, lower case).`)
  return p
}

function checkProtocol (protocol: string): void {
  if (!PROTOCOL.test(protocol)) throw new InvalidArgumentError(`"${protocol}" is not a mielin protocol name (/mielin/<name>/<x.y.z>, lower case).`)
}

const UNREACHABLE_HINTS = [
  'Is a mielin node listening there (mielin mesh start)? Check the host, the port and the firewall.',
  'Does it hold the same cluster key? A node of another cluster cannot even finish the handshake (mielin mesh join TOKEN).'
]

/**
 * One node's place in the mesh: a libp2p node behind the cluster's private network, the
 * `/mielin/*` protocols it serves (one-shot RPC and long-lived channels), and dialling.
 * Every handler registered here only sees admitted peers (see ./admission.ts).
 */
export class Mesh {
  readonly peerId: PeerId
  readonly #init: MeshInit
  readonly #privateKey: PrivateKey
  readonly #log: Logger
  #node?: MeshLibp2p
  #status: MeshStatus = 'stopped'
  #stopController = new AbortController()
  #offAdmitted?: () => void
  #offQuic?: () => void
  readonly #rpc = new Map<string, { schema: Schema<unknown>, handler: RequestHandler<unknown>, options: HandleOptions }>()
  readonly #channelHandlers = new Map<string, ChannelHandlerEntry & { options: HandleOptions }>()
  readonly #channels = new Map<string, Channel>()
  readonly #inbound = new Set<Channel>()
  readonly #connected = new Set<string>()
  readonly #peerListeners = new Set<(e: MeshPeerEvent) => void>()

  constructor (init: MeshInit, components: MeshComponents = {}) {
    this.#init = init
    this.#privateKey = init.privateKey
    this.peerId = peerIdFromPrivateKey(init.privateKey)
    this.#log = components.logger ?? defaultLogger('mesh')
  }

  get status (): MeshStatus { return this.#status }

  /** The libp2p node (escape hatch: DHT, peer store, raw streams). Exists once started. */
  get libp2p (): MeshLibp2p {
    if (this.#node === undefined) throw new MeshStoppedError('The mesh has not been started.')
    return this.#node
  }

  get #admission (): Admission { return this.libp2p.services.admission }

  async start (options: { signal?: AbortSignal } = {}): Promise<void> {
    throwIfAborted(options.signal)
    if (this.#status !== 'stopped') return
    this.#status = 'starting'
    try {
      this.#node ??= await createLibp2pNode({ ...this.#init, start: false, logger: this.#log })
      const node = this.#node
      this.#stopController = new AbortController()
      await node.start()
      for (const [protocol, entry] of this.#rpc) await this.#registerRpc(protocol, entry.options)
      for (const [protocol, entry] of this.#channelHandlers) await this.#registerChannel(protocol, entry.options)
      this.#offAdmitted ??= node.services.admission.onAdmitted(this.#onAdmitted)
      node.addEventListener('peer:disconnect', this.#onDisconnect)
      this.#offQuic = upgradeToQuic(node, this.#log, this.#stopController.signal)
      this.#status = 'started'
      for (const addr of this.#init.join ?? []) void this.#keepJoining(addr)
    } catch (err) {
      this.#status = 'stopped'
      await Promise.resolve(this.#node?.stop()).catch(() => {})
      if (err instanceof MielinError) throw err
      throw new NodeUnreachableError(`The mesh could not start: ${(err as Error).message}`, undefined, {
        cause: err,
        suggestions: ['Is the port already in use? Try another with --port, or 0 for a free one.']
      })
    }
  }

  async stop (): Promise<void> {
    if (this.#status !== 'started') return
    this.#status = 'stopping'
    this.#stopController.abort()
    for (const ch of [...this.#channels.values(), ...this.#inbound]) ch.abort(new StreamClosedError('The mesh is stopping.'))
    this.#channels.clear()
    this.#inbound.clear()
    const node = this.#node as MeshLibp2p
    node.removeEventListener('peer:disconnect', this.#onDisconnect)
    this.#offQuic?.()
    // bounded: libp2p waits for connections to close politely
    await Promise.race([node.stop(), new Promise((resolve) => setTimeout(resolve, 5000).unref())])
    this.#connected.clear()
    this.#status = 'stopped'
  }

  /** The addresses other nodes can dial, with `/p2p/<peer id>`. */
  multiaddrs (): Multiaddr[] { return this.#node?.getMultiaddrs() ?? [] }

  /** Peers with at least one open, admitted connection. */
  peers (): PeerId[] {
    const node = this.#node
    if (node === undefined) return []
    const out = new Map<string, PeerId>()
    for (const c of node.getConnections()) {
      if (c.status === 'open' && this.#admission.isAdmitted(c)) out.set(c.remotePeer.toString(), c.remotePeer)
    }
    return [...out.values()]
  }

  /** Listens for admitted peers coming and going. Returns the unsubscribe function. */
  onPeer (fn: (e: MeshPeerEvent) => void): () => void {
    this.#peerListeners.add(fn)
    return () => { this.#peerListeners.delete(fn) }
  }

  /** Signs bytes with the node's identity key (heartbeats, records). */
  async sign (data: Uint8Array): Promise<Uint8Array> {
    return await this.#privateKey.sign(data)
  }

  /**
   * Connects to a node and waits until it is admitted. `addr` is a multiaddr, a peer id, or
   * `HOST:PORT` (TCP; a host name is resolved to IPv4). Returns the node's peer id.
   */
  async dial (addr: string | Multiaddr | PeerId, options: { signal?: AbortSignal, timeoutMs?: number } = {}): Promise<PeerId> {
    throwIfAborted(options.signal)
    const node = this.#started()
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.#init.dialTimeoutMs ?? 10_000)
    const signal = AbortSignal.any([timeout, this.#stopController.signal, ...(options.signal === undefined ? [] : [options.signal])])
    const target = typeof addr === 'string' ? await toDialTarget(addr) : addr
    const what = addr.toString()
    let conn: Connection
    try {
      conn = await node.dial(target, { signal })
    } catch (err) {
      if (options.signal?.aborted === true) throw new AbortedError('Aborted.', { cause: err })
      if ((err as Error)?.name === 'DialDeniedError') throw refusedRecently(what, err)
      throw new NodeUnreachableError(`Cannot reach ${what}: ${(err as Error).message}`, undefined, { cause: err, suggestions: UNREACHABLE_HINTS })
    }
    const admitted = await this.#admission.waitAdmitted(conn, signal).catch(() => false)
    if (options.signal?.aborted === true) throw new AbortedError('Aborted.')
    if (!admitted) {
      throw new PeerRefusedError(`${what} (${conn.remotePeer.toString()}) connected but the cluster check failed: it does not hold our cluster key, or it refused ours.`, undefined, {
        suggestions: ['Make both nodes members of the same cluster (mielin mesh join TOKEN), then retry.']
      })
    }
    return conn.remotePeer
  }

  /** Serves a one-shot protocol: one checked request frame in, one answer frame out. */
  async handle<Req> (protocol: string, requestSchema: Schema<Req>, handler: RequestHandler<Req>, options: HandleOptions = {}): Promise<void> {
    checkProtocol(protocol)
    this.#rpc.set(protocol, { schema: requestSchema as Schema<unknown>, handler: handler as RequestHandler<unknown>, options })
    if (this.#status === 'started') await this.#registerRpc(protocol, options)
  }

  async unhandle (protocol: string): Promise<void> {
    this.#rpc.delete(protocol)
    this.#channelHandlers.delete(protocol)
    if (this.#node !== undefined) await this.#node.unhandle(protocol)
  }

  /** Sends one request on a fresh stream and returns the checked answer. */
  async request<T = Frame> (peer: PeerId | string, protocol: string, frame: object, options: MeshRequestOptions<T> = {}): Promise<T> {
    throwIfAborted(options.signal)
    this.#started()
    const peerId = toPeerId(peer)
    const timeoutMs = options.timeoutMs ?? this.#init.requestTimeoutMs ?? 10_000
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = AbortSignal.any([timeout, this.#stopController.signal, ...(options.signal === undefined ? [] : [options.signal])])
    try {
      const conn = await this.#connection(peerId, signal)
      const stream = await conn.newStream(protocol, { signal, maxOutboundStreams: 1024 })
      return await requestOnce<T>(stream, frame, {
        schema: options.schema,
        maxFrameBytes: options.maxFrameBytes ?? this.#init.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
        signal,
        peer: peerId.toString(),
        logger: this.#log
      })
    } catch (err) {
      throw this.#wrap(err, peerId, protocol, timeout, timeoutMs, options.signal)
    }
  }

  /** The long-lived channel to `peer` for `protocol` (one per pair; re-opens itself when its stream dies). */
  channel (peer: PeerId | string, protocol: string, options: ChannelOptions = {}): Channel {
    checkProtocol(protocol)
    this.#started()
    // the hot path: a known channel is found by the peer id text, without parsing it
    const key = `${typeof peer === 'string' ? peer : peer.toString()} ${protocol}`
    let ch = this.#channels.get(key)
    if (ch !== undefined) return ch
    const peerId = toPeerId(peer)
    const dialMs = this.#init.dialTimeoutMs ?? 10_000
    ch = new Channel({
      protocol,
      peer: peerId.toString(),
      maxFrameBytes: this.#init.maxFrameBytes,
      requestTimeoutMs: this.#init.requestTimeoutMs,
      logger: this.#log,
      ...options,
      handler: () => this.#channelHandlers.get(protocol),
      open: async () => {
        const timeout = AbortSignal.timeout(dialMs)
        const signal = AbortSignal.any([timeout, this.#stopController.signal])
        try {
          const connection = await this.#connection(peerId, signal)
          const stream = await connection.newStream(protocol, { signal })
          return { stream, connection }
        } catch (err) {
          throw this.#wrap(err, peerId, protocol, timeout, dialMs)
        }
      }
    })
    this.#channels.set(key, ch)
    return ch
  }

  /** Serves a channel protocol: `handler` answers the requests and takes the notifications of every peer's channel. */
  async handleChannel<Req> (protocol: string, frameSchema: Schema<Req>, handler: ChannelHandler<Req>, options: HandleOptions = {}): Promise<void> {
    checkProtocol(protocol)
    this.#channelHandlers.set(protocol, { schema: frameSchema as Schema<unknown>, handler: handler as ChannelHandler<unknown>, options })
    if (this.#status === 'started') await this.#registerChannel(protocol, options)
  }

  async #registerRpc (protocol: string, options: HandleOptions): Promise<void> {
    const node = this.libp2p
    const maxFrameBytes = options.maxFrameBytes ?? this.#init.maxFrameBytes
    await node.handle(protocol, node.services.admission.gate(async (stream, connection) => {
      const entry = this.#rpc.get(protocol)
      if (entry === undefined) { stream.abort(new ProtocolUnsupportedError(`${protocol} is no longer served.`)); return }
      await serveRequest(stream, connection, entry.schema, entry.handler, { maxFrameBytes, logger: this.#log, signal: this.#stopController.signal })
    }), { maxInboundStreams: options.maxInboundStreams ?? 256, maxOutboundStreams: 1024, force: true })
  }

  async #registerChannel (protocol: string, options: HandleOptions): Promise<void> {
    const node = this.libp2p
    await node.handle(protocol, node.services.admission.gate((stream, connection) => {
      const ch = new Channel({
        protocol,
        peer: connection.remotePeer.toString(),
        maxFrameBytes: options.maxFrameBytes ?? this.#init.maxFrameBytes,
        requestTimeoutMs: this.#init.requestTimeoutMs,
        logger: this.#log,
        handler: () => this.#channelHandlers.get(protocol)
      }, { stream, connection })
      this.#inbound.add(ch)
      stream.addEventListener('close', () => { this.#inbound.delete(ch) }, { once: true })
    }), { maxInboundStreams: options.maxInboundStreams ?? 16, force: true })
  }

  #started (): MeshLibp2p {
    if (this.#status !== 'started' || this.#node === undefined) throw new MeshStoppedError('The mesh is not running.', undefined, { suggestions: ['Start it first (mielin mesh start).'] })
    return this.#node
  }

  /** An open, admitted connection to `peer`: an existing one, one being admitted, or a new dial. */
  async #connection (peer: PeerId, signal: AbortSignal): Promise<Connection> {
    const node = this.#started()
    const admission = this.#admission
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

  #wrap (err: unknown, peer: PeerId, protocol: string, timeout: AbortSignal, timeoutMs: number, user?: AbortSignal): Error {
    if (user?.aborted === true) return err instanceof AbortedError ? err : new AbortedError('Aborted.', { cause: err })
    if (this.#stopController.signal.aborted) return new MeshStoppedError('The mesh stopped.', undefined, { cause: err })
    if (timeout.aborted) {
      return new MeshTimeoutError(`${peer.toString()} did not answer ${protocol} within ${timeoutMs} ms.`, undefined, {
        cause: err,
        suggestions: ['Check that the node is up (mielin mesh status) and not overloaded; retry with a longer timeout.']
      })
    }
    if (err instanceof MielinError) return err
    const name = (err as Error)?.name
    if (name === 'DialDeniedError') return refusedRecently(peer.toString(), err)
    if (name === 'UnsupportedProtocolError') {
      return new ProtocolUnsupportedError(`${peer.toString()} does not serve ${protocol}.`, undefined, { cause: err, suggestions: ['Is it running the same mielin version?'] })
    }
    return new NodeUnreachableError(`Cannot reach ${peer.toString()} for ${protocol}: ${(err as Error)?.message ?? String(err)}`, undefined, { cause: err, suggestions: UNREACHABLE_HINTS })
  }

  async #keepJoining (addr: string): Promise<void> {
    let wait = 500
    while (this.#status === 'started') {
      try {
        const peer = await this.dial(addr)
        this.#log(`joined ${addr} (${peer.toString()})`)
        return
      } catch (err) {
        // stopping ends the retries: routine, not an error
        if (this.#status !== 'started') { this.#log(`stopped joining ${addr}: ${(err as Error).message}`); return }
        if (err instanceof InvalidArgumentError) { this.#log.error(`cannot join ${addr}: ${(err as Error).message}`); return }
        this.#log(`cannot join ${addr} yet: ${(err as Error).message}; retrying in ${wait} ms`)
      }
      await new Promise((resolve) => setTimeout(resolve, wait).unref())
      wait = Math.min(wait * 2, 30_000)
    }
  }

  readonly #onAdmitted = (conn: Connection): void => {
    const key = conn.remotePeer.toString()
    if (this.#connected.has(key)) return
    this.#connected.add(key)
    this.#emit({ name: 'mesh:peer:connect', peer: conn.remotePeer })
  }

  readonly #onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const peer = evt.detail.toString()
    // idle channels to a peer that is gone are dropped from the cache (a caller still holding
    // one can use it: it re-opens); the next mesh.channel() makes a new one
    for (const [key, ch] of this.#channels) {
      if (ch.peer === peer && ch.inFlight === 0 && !ch.open) this.#channels.delete(key)
    }
    if (!this.#connected.delete(peer)) return
    this.#emit({ name: 'mesh:peer:disconnect', peer: evt.detail })
  }

  #emit (e: MeshPeerEvent): void {
    for (const l of this.#peerListeners) {
      try { l(e) } catch (err) { this.#log.error(`mesh peer listener failed: ${(err as Error).message}`) }
    }
  }
}

function toPeerId (peer: PeerId | string): PeerId {
  if (typeof peer !== 'string') return peer
  try {
    return peerIdFromString(peer)
  } catch (err) {
    throw new InvalidArgumentError(`"${peer}" is not a peer id.`, undefined, { cause: err })
  }
}
