/**
 * Binary payloads (wasm blobs, snapshots) travel inside JSON frames as base64, cut into
 * chunks small enough for the frame limit: 512 KiB of bytes is ~683 KiB of base64, leaving
 * room under the default 1 MiB frame for the envelope.
 */
import { BadFrameError } from '../errors.js'

/** The default chunk: 512 KiB of bytes before base64. */
export const DEFAULT_CHUNK_BYTES = 512 * 1024

/** Cuts `bytes` into base64 strings of at most `chunkBytes` decoded bytes each (one empty chunk for no bytes). */
export function toBase64Chunks (bytes: Uint8Array, chunkBytes = DEFAULT_CHUNK_BYTES): string[] {
  const out: string[] = []
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let i = 0; i < buf.byteLength || out.length === 0; i += chunkBytes) out.push(buf.subarray(i, i + chunkBytes).toString('base64'))
  return out
}

/** Joins chunks back into bytes, refusing more than `maxBytes` in total. */
export function fromBase64Chunks (chunks: readonly string[], maxBytes = Infinity): Uint8Array {
  const parts: Buffer[] = []
  let total = 0
  for (const [i, c] of chunks.entries()) {
    const part = Buffer.from(c, 'base64')
    total += part.byteLength
    if (total > maxBytes) throw new BadFrameError(`chunk ${i}: the payload is over its ${maxBytes}-byte limit.`, `chunks[${i}]`)
    parts.push(part)
  }
  return new Uint8Array(Buffer.concat(parts, total))
}
