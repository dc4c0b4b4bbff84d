/**
 * One node's place in the mesh: a libp2p node behind the cluster's private network, its
 * `/mielin/*` protocols (./protocol-registry.ts, admitted peers only), requests and channels
 * to other nodes (./dialer.ts, errors by ./error-mapping.ts), and peer events (./peer-events.ts).
 */
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { z } from 'zod'
import { MielinError, throwIfAborted } from '../errors.js'
import { defaultLogger, type Logger } from '../logger.js'
import { Dialer, toPeerId } from './dialer.js'
import { streamError } from './error-mapping.js'
import { startError } from './listen-error.js'
import { MeshStoppedError, StreamClosedError } from './errors.js'
import { upgradeToQuic } from './fast-path.js'
import { createLibp2pNode, type Libp2pNodeInit, type MeshLibp2p } from './libp2p.js'
import { PeerEvents, type MeshPeerEvent } from './peer-events.js'
import { checkProtocol, ProtocolRegistry, type HandleOptions, type RequestHandler } from './protocol-registry.js'
import { Channel, type ChannelHandler, type ChannelOptions, type Frame } from './wire/index.js'

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

export interface MeshRequestOptions<T> {
  signal?: AbortSignal
  /** @default the mesh's requestTimeoutMs */
  timeoutMs?: number
  /** Checks the answer. @default none: the answer as it came */
  schema?: z.ZodType<T>
  maxFrameBytes?: number
}

/** What exists only while the mesh runs. */
interface Run { node: MeshLibp2p, dialer: Dialer, stopController: AbortController, offQuic: () => void }

export class Mesh {
  readonly peerId: PeerId
  readonly #init: MeshInit
  readonly #privateKey: PrivateKey
  readonly #log: Logger
  readonly #protocols: ProtocolRegistry
  // built at the first start and kept: a restarted mesh keeps its addresses and peer store
  #node?: MeshLibp2p
  #run?: Run
  #status: MeshStatus = 'stopped'
  readonly #peers: PeerEvents
  // outbound channels, one per peer and protocol (inbound ones belong to the registry)
  readonly #channels = new Map<string, Channel>()

  constructor (components: MeshComponents, init: MeshInit) {
    this.#init = init
    this.#privateKey = init.privateKey
    this.peerId = peerIdFromPrivateKey(init.privateKey)
    this.#log = components.logger ?? defaultLogger('mesh')
    this.#peers = new PeerEvents({ logger: this.#log })
    this.#protocols = new ProtocolRegistry({ logger: this.#log }, { maxFrameBytes: init.maxFrameBytes, requestTimeoutMs: init.requestTimeoutMs })
  }

  get status (): MeshStatus { return this.#status }

  /** The libp2p node (escape hatch: DHT, peer store, raw streams). Exists once started. */
  get libp2p (): MeshLibp2p {
    if (this.#node === undefined) throw new MeshStoppedError('The mesh has not been started.')
    return this.#node
  }

  async start (options: { signal?: AbortSignal } = {}): Promise<void> {
    throwIfAborted(options.signal)
    if (this.#status !== 'stopped') return
    this.#status = 'starting'
    try {
      if (this.#node === undefined) {
        this.#node = await createLibp2pNode({ ...this.#init, start: false, logger: this.#log })
        // once per node: the admission service keeps its listeners across restarts
        this.#node.services.admission.onAdmitted((conn) => { this.#peers.admitted(conn) })
      }
      const node = this.#node
      const stopController = new AbortController()
      await node.start()
      await this.#protocols.start(node, stopController.signal)
      node.addEventListener('peer:disconnect', this.#onDisconnect)
      const offQuic = upgradeToQuic(node, this.#log, stopController.signal)
      const dialer = new Dialer({ node, stopSignal: stopController.signal, logger: this.#log }, { dialTimeoutMs: this.#init.dialTimeoutMs })
      this.#run = { node, dialer, stopController, offQuic }
      this.#status = 'started'
      for (const addr of this.#init.join ?? []) void dialer.keepJoining(addr)
    } catch (err) {
      this.#status = 'stopped'
      await Promise.resolve(this.#node?.stop()).catch(() => {})
      if (err instanceof MielinError) throw err
      throw await startError(err) // a port in use, with who holds it; never libp2p's stacks
    }
  }

  async stop (): Promise<void> {
    const run = this.#run
    if (this.#status !== 'started' || run === undefined) return
    this.#status = 'stopping'
    this.#run = undefined
    run.stopController.abort()
    for (const ch of this.#channels.values()) ch.abort(new StreamClosedError('The mesh is stopping.'))
    this.#channels.clear()
    this.#protocols.stop()
    run.node.removeEventListener('peer:disconnect', this.#onDisconnect)
    run.offQuic()
    // bounded: libp2p waits for connections to close politely
    await Promise.race([run.node.stop(), new Promise((resolve) => setTimeout(resolve, 5000).unref())])
    this.#peers.clear()
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
      if (c.status === 'open' && node.services.admission.isAdmitted(c)) out.set(c.remotePeer.toString(), c.remotePeer)
    }
    return [...out.values()]
  }

  /** Listens for admitted peers coming and going. Returns the unsubscribe function. */
  onPeer (fn: (e: MeshPeerEvent) => void): () => void {
    return this.#peers.subscribe(fn)
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
    return await this.#running().dialer.dial(addr, options)
  }

  /** Serves a request/answer protocol whose handler is told the asking peer (see ProtocolRegistry.handle). */
  async handle<Req> (protocol: string, requestSchema: z.ZodType<Req>, handler: RequestHandler<Req>, options: HandleOptions = {}): Promise<void> {
    await this.#protocols.handle(protocol, requestSchema, handler, options)
  }

  /** Serves a channel protocol: `handler` answers the requests and takes the notifications of every peer's channel. */
  async handleChannel<Req> (protocol: string, frameSchema: z.ZodType<Req>, handler: ChannelHandler<Req>, options: HandleOptions = {}): Promise<void> {
    await this.#protocols.handleChannel(protocol, frameSchema, handler, options)
  }

  async unhandle (protocol: string): Promise<void> {
    await this.#protocols.unhandle(protocol)
  }

  /**
   * Sends one request to `peer` on its channel for `protocol` (opened on first use) and
   * returns the checked answer; the timeout (E_MESH_TIMEOUT) covers the dial. The channel's
   * frame limit is set by its first use.
   */
  async request<T = Frame> (peer: PeerId | string, protocol: string, frame: object, options: MeshRequestOptions<T> = {}): Promise<T> {
    throwIfAborted(options.signal)
    const { stopController } = this.#running()
    const ch = this.channel(peer, protocol, options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes })
    // the timeout covers the dial too: a node that cannot be reached takes no longer than one that does not answer
    const timeoutMs = options.timeoutMs ?? this.#init.requestTimeoutMs ?? 10_000
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal])
    try {
      return await ch.request<T>(frame, { signal, schema: options.schema, timeoutMs: 0 })
    } catch (err) {
      throw streamError(err, { peer: ch.peer, protocol, timeout, timeoutMs, stopped: stopController.signal, user: options.signal })
    }
  }

  /** The long-lived channel to `peer` for `protocol` (one per pair; re-opens itself when its stream dies). */
  channel (peer: PeerId | string, protocol: string, options: ChannelOptions = {}): Channel {
    checkProtocol(protocol)
    this.#running()
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
      handler: () => this.#protocols.channelHandler(protocol),
      // the run is looked up at each open: a channel held across a restart dials on the new one
      open: async () => {
        const { dialer, stopController } = this.#running()
        const timeout = AbortSignal.timeout(dialMs)
        const signal = AbortSignal.any([timeout, stopController.signal])
        try {
          const connection = await dialer.connection(peerId, signal)
          const stream = await connection.newStream(protocol, { signal })
          return { stream, connection }
        } catch (err) {
          throw streamError(err, { peer: peerId.toString(), protocol, timeout, timeoutMs: dialMs, stopped: stopController.signal })
        }
      }
    })
    this.#channels.set(key, ch)
    return ch
  }

  #running (): Run {
    if (this.#status !== 'started' || this.#run === undefined) throw new MeshStoppedError('The mesh is not running.', undefined, { suggestions: ['Start it first (mielin mesh start).'] })
    return this.#run
  }

  readonly #onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const peer = evt.detail.toString()
    // idle channels to a peer that is gone are dropped from the cache (a caller still holding
    // one can use it: it re-opens); the next mesh.channel() makes a new one
    for (const [key, ch] of this.#channels) {
      if (ch.peer === peer && ch.inFlight === 0 && !ch.open) this.#channels.delete(key)
    }
    this.#peers.disconnected(evt.detail)
  }
}
