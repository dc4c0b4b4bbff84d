/**
 * The `/mielin/*` protocols a node serves: one-shot RPC (one checked request frame in, one
 * answer out) and long-lived channels. Handlers can be added before the mesh starts; they are
 * kept here and registered with libp2p at each start, behind the admission gate, so a handler
 * only ever sees peers that proved the cluster key.
 */
import { InvalidArgumentError } from '../errors.js'
import type { Logger } from '../logger.js'
import { ProtocolUnsupportedError, StreamClosedError } from './errors.js'
import type { MeshLibp2p } from './libp2p.js'
import { Channel, serveRequest, type ChannelHandler, type ChannelHandlerEntry, type RequestHandler, type Schema } from './wire/index.js'

export interface HandleOptions {
  /** Largest request (and answer) frame. @default the mesh's maxFrameBytes */
  maxFrameBytes?: number
  /** Streams of this protocol one connection may have open at once. @default 256 (one-shot), 16 (channel) */
  maxInboundStreams?: number
}

const PROTOCOL = /^\/mielin\/[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*\/\d+\.\d+\.\d+$/

/** `/mielin/<name>/1.0.0`: how every mielin protocol is named. */
export function meshProtocol (name: string, version = '1.0.0'): string {
  const p = `/mielin/${name}/${version}`
  checkProtocol(p)
  return p
}

export function checkProtocol (protocol: string): void {
  if (!PROTOCOL.test(protocol)) throw new InvalidArgumentError(`"${protocol}" is not a mielin protocol name (/mielin/<name>/<x.y.z>, lower case).`)
}

export interface ProtocolRegistryInit {
  /** Default largest frame. @default the codec's (1 MiB) */
  maxFrameBytes?: number
  /** Default time an inbound channel waits for the answers to its own requests. @default the channel's */
  requestTimeoutMs?: number
}

export interface ProtocolRegistryComponents {
  logger: Logger
}

/** What a started registry serves on: the node, and the signal that aborts when the mesh stops. */
interface Running { node: MeshLibp2p, stopSignal: AbortSignal }

export class ProtocolRegistry {
  readonly #init: ProtocolRegistryInit
  readonly #log: Logger
  readonly #rpc = new Map<string, { schema: Schema<unknown>, handler: RequestHandler<unknown>, options: HandleOptions }>()
  readonly #channels = new Map<string, ChannelHandlerEntry & { options: HandleOptions }>()
  // inbound channels, so that stopping can end them (outbound ones belong to the mesh)
  readonly #inbound = new Set<Channel>()
  #running?: Running
  // kept after stop: unhandle still removes a protocol from a stopped node, as libp2p allows
  #node?: MeshLibp2p

  constructor (components: ProtocolRegistryComponents, init: ProtocolRegistryInit = {}) {
    this.#log = components.logger
    this.#init = init
  }

  /** Registers every protocol with `node`, and each one added until stop. */
  async start (node: MeshLibp2p, stopSignal: AbortSignal): Promise<void> {
    this.#running = { node, stopSignal }
    this.#node = node
    for (const [protocol, entry] of this.#rpc) await this.#registerRpc(protocol, entry.options)
    for (const [protocol, entry] of this.#channels) await this.#registerChannel(protocol, entry.options)
  }

  /** Ends the inbound channels; libp2p drops the registrations when its node stops. */
  stop (): void {
    this.#running = undefined
    for (const ch of this.#inbound) ch.abort(new StreamClosedError('The mesh is stopping.'))
    this.#inbound.clear()
  }

  async handle<Req> (protocol: string, requestSchema: Schema<Req>, handler: RequestHandler<Req>, options: HandleOptions = {}): Promise<void> {
    checkProtocol(protocol)
    this.#rpc.set(protocol, { schema: requestSchema, handler: handler as RequestHandler<unknown>, options })
    if (this.#running !== undefined) await this.#registerRpc(protocol, options)
  }

  async handleChannel<Req> (protocol: string, frameSchema: Schema<Req>, handler: ChannelHandler<Req>, options: HandleOptions = {}): Promise<void> {
    checkProtocol(protocol)
    this.#channels.set(protocol, { schema: frameSchema, handler: handler as ChannelHandler<unknown>, options })
    if (this.#running !== undefined) await this.#registerChannel(protocol, options)
  }

  async unhandle (protocol: string): Promise<void> {
    this.#rpc.delete(protocol)
    this.#channels.delete(protocol)
    if (this.#node !== undefined) await this.#node.unhandle(protocol)
  }

  /** The handler of a channel protocol, looked up per frame so that a later handleChannel takes effect. */
  channelHandler (protocol: string): ChannelHandlerEntry | undefined {
    return this.#channels.get(protocol)
  }

  async #registerRpc (protocol: string, options: HandleOptions): Promise<void> {
    const { node, stopSignal } = this.#running as Running
    const maxFrameBytes = options.maxFrameBytes ?? this.#init.maxFrameBytes
    await node.handle(protocol, node.services.admission.gate(async (stream, connection) => {
      // the handler is looked up per stream: unhandle may have raced a stream that was opening
      const entry = this.#rpc.get(protocol)
      if (entry === undefined) { stream.abort(new ProtocolUnsupportedError(`${protocol} is no longer served.`)); return }
      await serveRequest(stream, connection, entry.schema, entry.handler, { maxFrameBytes, logger: this.#log, signal: stopSignal })
    }), { maxInboundStreams: options.maxInboundStreams ?? 256, maxOutboundStreams: 1024, force: true })
  }

  async #registerChannel (protocol: string, options: HandleOptions): Promise<void> {
    const { node } = this.#running as Running
    await node.handle(protocol, node.services.admission.gate((stream, connection) => {
      const ch = new Channel({
        protocol,
        peer: connection.remotePeer.toString(),
        maxFrameBytes: options.maxFrameBytes ?? this.#init.maxFrameBytes,
        requestTimeoutMs: this.#init.requestTimeoutMs,
        logger: this.#log,
        handler: () => this.#channels.get(protocol)
      }, { stream, connection })
      this.#inbound.add(ch)
      stream.addEventListener('close', () => { this.#inbound.delete(ch) }, { once: true })
    }), { maxInboundStreams: options.maxInboundStreams ?? 16, force: true })
  }
}
