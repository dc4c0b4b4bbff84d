/**
 * Frame encoding: an unsigned varint length (LEB128, as libp2p's length-prefixed streams),
 * then that many bytes of UTF-8 JSON holding one object. The decoder checks the length
 * against the limit before it buffers anything, so a peer cannot make us hold more than
 * one frame's worth of bytes.
 */
import { InvalidArgumentError } from '../../errors.js'
import { BadFrameError } from '../errors.js'

/** The default largest frame (body bytes): 1 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024
/** No protocol may raise its limit beyond this (a 4-byte varint holds 256 MiB). */
export const HARD_MAX_FRAME_BYTES = 64 * 1024 * 1024

const MAX_PREFIX_BYTES = 4
const textDecoder = new TextDecoder('utf-8', { fatal: true })

export function varintLength (n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : 4
}

function writeVarint (n: number, out: Uint8Array, offset: number): number {
  while (n >= 0x80) {
    out[offset++] = (n & 0x7f) | 0x80
    n >>>= 7
  }
  out[offset++] = n
  return offset
}

/** Encodes one frame (a JSON object) with its length prefix; throws rather than send one over `maxBytes`. */
export function encodeFrame (frame: object, maxBytes = DEFAULT_MAX_FRAME_BYTES): Uint8Array {
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) throw new InvalidArgumentError('A frame must be a JSON object.')
  let json: string
  try {
    json = JSON.stringify(frame)
  } catch (err) {
    throw new InvalidArgumentError(`A frame must be plain JSON: ${(err as Error).message}`, undefined, { cause: err })
  }
  const length = Buffer.byteLength(json)
  if (length > maxBytes) {
    throw new BadFrameError(`frame: ${length} bytes is over the ${maxBytes}-byte limit of this protocol.`, 'frame', {
      suggestions: ['Send large payloads in chunks (see wire toBase64Chunks).']
    })
  }
  const prefix = varintLength(length)
  const out = Buffer.allocUnsafe(prefix + length)
  writeVarint(length, out, 0)
  out.write(json, prefix, 'utf8')
  return out
}

/** Parses one frame body: UTF-8, JSON, an object. */
export function decodeJson (body: Uint8Array): unknown {
  let text: string
  try {
    text = textDecoder.decode(body)
  } catch {
    throw new BadFrameError('frame: not UTF-8.')
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new BadFrameError(`frame: not JSON (${(err as Error).message.slice(0, 80)}).`)
  }
}

/**
 * Splits a byte stream into frame bodies. `push` returns the complete bodies in the chunk
 * (zero-copy when a frame sits inside one chunk) and keeps the rest; it throws a
 * `BadFrameError` for a length over the limit or a malformed prefix, after which the
 * decoder must not be used again.
 */
export class FrameDecoder {
  readonly maxBytes: number
  #chunks: Uint8Array[] = []
  #buffered = 0
  #need = -1 // body length of the frame being read, or -1 while reading its prefix
  #prefix = 0

  constructor (maxBytes = DEFAULT_MAX_FRAME_BYTES) {
    if (!(maxBytes > 0 && maxBytes <= HARD_MAX_FRAME_BYTES)) throw new InvalidArgumentError(`A frame limit is between 1 byte and ${HARD_MAX_FRAME_BYTES} bytes, not ${maxBytes}.`)
    this.maxBytes = maxBytes
  }

  /** Bytes held that do not yet make a whole frame. */
  get buffered (): number { return this.#buffered }

  push (chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = []
    if (chunk.byteLength === 0) return out
    this.#chunks.push(chunk)
    this.#buffered += chunk.byteLength
    for (;;) {
      if (this.#buffered === 0) return out
      if (this.#need < 0 && !this.#readPrefix()) return out
      if (this.#buffered < this.#prefix + this.#need) return out
      out.push(this.#take(this.#prefix, this.#need))
      this.#need = -1
    }
  }

  #readPrefix (): boolean {
    let head = this.#chunks[0] as Uint8Array
    if (head.byteLength < MAX_PREFIX_BYTES && this.#chunks.length > 1) {
      head = this.#flatten()
    }
    let n = 0
    for (let i = 0; i < MAX_PREFIX_BYTES; i++) {
      if (i >= head.byteLength) return false
      const b = head[i] as number
      n += (b & 0x7f) * 2 ** (7 * i)
      if ((b & 0x80) === 0) {
        if (i > 0 && b === 0) throw new BadFrameError('frame: malformed length prefix.')
        if (n > this.maxBytes) throw new BadFrameError(`frame: ${n} bytes is over the ${this.maxBytes}-byte limit of this protocol.`)
        this.#need = n
        this.#prefix = i + 1
        return true
      }
    }
    throw new BadFrameError('frame: length prefix too long.')
  }

  #flatten (): Uint8Array {
    const all = this.#chunks.length === 1 ? this.#chunks[0] as Uint8Array : Buffer.concat(this.#chunks, this.#buffered)
    this.#chunks = [all]
    return all
  }

  #take (skip: number, length: number): Uint8Array {
    let head = this.#chunks[0] as Uint8Array
    if (head.byteLength < skip + length) head = this.#flatten()
    const body = head.subarray(skip, skip + length)
    const used = skip + length
    if (used === head.byteLength) this.#chunks.shift()
    else this.#chunks[0] = head.subarray(used)
    this.#buffered -= used
    return body
  }
}
