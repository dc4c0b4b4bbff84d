/**
 * The `/mielin/*` protocols a node serves, each on the RPC layer's channels (one stream per
 * peer carrying its calls, streams and notifications): `handleChannel` takes the channel's
 * handler as it is; `handle` is a request/answer handler that is told the asking peer's id.
 * Handlers can be added before the mesh starts; they are kept here and registered with
 * libp2p at each start, behind the admission gate, so a handler only ever sees peers that
 * proved the cluster key.
 */
import type { Connection, PeerId } from '@libp2p/interface'
import type { z } from 'zod'
import { InvalidArgumentError } from '../errors.js'
import type { Logger } from '../logger.js'
import { ProtocolUnsupportedError, StreamClosedError } from './errors.js'
import type { MeshLibp2p } from './libp2p.js'
import { Channel, type ChannelHandler, type ChannelHandlerEntry } from './wire/index.js'

export interface RequestContext {
  /** Who asked (authenticated by the transport, admitted by the cluster key). */
  peer: PeerId
  connection: Connection
  protocol: string
  /** Aborts when the asker cancels or hangs up, or the mesh stops. */
  signal: AbortSignal
}

/** Answers one request: return the answer (nothing means `{}`), or an AsyncIterable to stream; throw a MielinError to fail. */
export type RequestHandler<Req> = (frame: Req, ctx: RequestContext) => unknown

export interface HandleOptions {
  /** Largest request (and answer) frame. @default the mesh's maxFrameBytes */
  maxFrameBytes?: number
  /** Streams of this protocol one connection may have open at once (a peer's channel needs one). @default 256 (handle), 16 (handleChannel) */
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
    for (const [protocol, entry] of this.#channels) await this.#registerChannel(protocol, entry.options)
  }

  /** Ends the inbound channels; libp2p drops the registrations when its node stops. */
  stop (): void {
    this.#running = undefined
    for (const ch of this.#inbound) ch.abort(new StreamClosedError('The mesh is stopping.'))
    this.#inbound.clear()
  }

  /** Serves `protocol` with a handler that is told the asking peer's id and connection. */
  async handle<Req> (protocol: string, requestSchema: z.ZodType<Req>, handler: RequestHandler<Req>, options: HandleOptions = {}): Promise<void> {
    // a caller may open a channel per request (a short-lived client does): allow many streams
    await this.handleChannel(protocol, requestSchema, (frame, ctx) => {
      // a channel of the mesh always runs over a libp2p connection: both are there
      const { remotePeer, connection } = ctx as Required<typeof ctx>
      return handler(frame, { peer: remotePeer, connection, protocol, signal: ctx.signal })
    }, { maxInboundStreams: 256, ...options })
  }

  async handleChannel<Req> (protocol: string, frameSchema: z.ZodType<Req>, handler: ChannelHandler<Req>, options: HandleOptions = {}): Promise<void> {
    checkProtocol(protocol)
    this.#channels.set(protocol, { schema: frameSchema, handler, options })
    if (this.#running !== undefined) await this.#registerChannel(protocol, options)
  }

  async unhandle (protocol: string): Promise<void> {
    this.#channels.delete(protocol)
    if (this.#node !== undefined) await this.#node.unhandle(protocol)
  }

  /** The handler of a channel protocol, looked up per frame so that a later handleChannel takes effect. */
  channelHandler (protocol: string): ChannelHandlerEntry | undefined {
    return this.#channels.get(protocol)
  }

  async #registerChannel (protocol: string, options: HandleOptions): Promise<void> {
    const { node } = this.#running as Running
    await node.handle(protocol, node.services.admission.gate((stream, connection) => {
      // unhandle may have raced a stream that was opening: refuse it rather than hold it open
      if (!this.#channels.has(protocol)) { stream.abort(new ProtocolUnsupportedError(`${protocol} is no longer served.`)); return }
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
