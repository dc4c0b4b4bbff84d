/**
 * The mesh wire: schema-checked, size-limited JSON frames over libp2p streams. The frames,
 * channels, their codec and the zod helpers that check frames are the RPC layer's
 * (src/runtime/rpc), re-exported here for the mesh's protocols; what is the mesh's own is the
 * chunking of binary payloads. A bad frame (too big, not JSON, wrong shape) resets the one
 * stream it came on.
 *
 * @example
 * ```ts
 * const Ping = z.object({ n: z.int().min(0) })
 * const ch = new Channel({ protocol, peer, open, handler: () => ({ schema: Ping, handler: (req) => ({ n: req.n + 1 }) }) })
 * await ch.request({ n: 1 })   // the other side's answer
 * await ch.notify({ n: 2 })    // no answer
 * ```
 */
export {
  parseFrame, json, jsonObject, record, base64, type Frame, type JsonValue, type JsonOptions,
  encodeFrame, decodeJson, FrameDecoder, DEFAULT_MAX_FRAME_BYTES, HARD_MAX_FRAME_BYTES, FrameStream, type FrameStreamOptions,
  Channel, raceSignal, type ChannelContext, type ChannelHandler, type ChannelHandlerEntry, type ChannelInit, type ChannelOptions, type ChannelRequestOptions
} from '../../rpc/index.js'
export { toBase64Chunks, fromBase64Chunks, DEFAULT_CHUNK_BYTES } from './chunks.js'
