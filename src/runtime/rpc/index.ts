/**
 * One RPC layer for every connection mielin makes: calls, streams with back-pressure,
 * cancel and notifications, as length-prefixed JSON frames (./frames.ts) over any byte
 * duplex. The local control socket (a `net.Socket`), the control protocol from other
 * machines and node-to-node calls (libp2p streams) all speak it, so a method answers, streams
 * and fails the same way over each; a MielinError crosses with its code, message,
 * suggestions and exit code.
 *
 * @example
 * ```ts
 * // serving: methods by name, on a channel per connection
 * const handler = serveMethods({
 *   calls: { 'agent.list': async (_p, { signal }) => await listAgents(signal) },
 *   streams: { 'agent.logs.follow': (p, { signal }) => follow(p.id, signal) }
 * })
 * net.createServer((socket) => new Channel({ protocol: 'control', peer: 'local', handler: () => handler }, { stream: socketDuplex(socket, path) }))
 *
 * // calling, over a socket (or a libp2p stream: `{ stream, connection }`)
 * const client = new RpcClient(new Channel({ protocol: 'control', peer: path }, { stream: socketDuplex(net.createConnection(path), path) }))
 * const agents = await client.call('agent.list')
 * for await (const line of client.stream('agent.logs.follow', { id: 'echo' }, { signal })) console.log(line)
 * ```
 */
export {
  Channel, type Attached, type ChannelContext, type ChannelHandler, type ChannelHandlerEntry, type ChannelInit, type ChannelOptions, type ChannelRequestOptions, type ChannelStreamOptions
} from './channel.js'
export type { HandlerKind } from './responder.js'
export { RpcClient, type RpcClientOptions } from './client.js'
export { serveMethods, type CallMethod, type MethodContext, type MethodRequest, type Methods, type ServeMethodsOptions, type StreamMethod } from './methods.js'
export type { ByteDuplex, DuplexListener } from './duplex.js'
export { libp2pDuplex } from './libp2p-duplex.js'
export { socketDuplex } from './socket-duplex.js'
export { FrameStream, type FrameStreamOptions } from './frame-stream.js'
export { base64, json, jsonObject, parseFrame, record, type Frame, type JsonOptions, type JsonValue } from './frame-schema.js'
export { decodeJson, DEFAULT_MAX_FRAME_BYTES, encodeFrame, FrameDecoder, HARD_MAX_FRAME_BYTES } from './codec.js'
export type { RpcFrame } from './frames.js'
export { raceSignal } from './race-signal.js'
export {
  BadFrameError, errorBody, errorFromBody, internalError, RemoteError, RequestTimeoutError, RpcProtocolError, StreamClosedError, TooManyStreamsError, UnknownMethodError,
  type ErrorBody
} from './errors.js'
