import { InvalidInputError } from '../errors.js'

/**
 * Just enough of the WebAssembly binary format to find and rewrite sections of a core module:
 * the header, the section list (id byte + LEB128 size) and LEB128 numbers. Nothing is
 * compiled or validated beyond what the reader walks over.
 */

const MAGIC = [0x00, 0x61, 0x73, 0x6d]
const CORE_VERSION = [0x01, 0x00, 0x00, 0x00]
/** Version + layer of a component binary (layer 1): `0d 00 01 00`. */
const COMPONENT_VERSION = [0x0d, 0x00, 0x01, 0x00]
export const HEADER_SIZE = 8

export const SectionId = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
  tag: 13
} as const

export interface WasmSection {
  id: number
  /** Offset of the id byte. */
  start: number
  /** Offset of the first content byte, just after the size. */
  contentStart: number
  /** Offset just after the last content byte. */
  end: number
}

/** The error for bytes that are not a well-formed core module. */
export function invalidWasm (what: string, cause?: unknown): InvalidInputError {
  return new InvalidInputError(`Not a valid WebAssembly module: ${what}.`, 'E_WASM_INVALID', {
    suggestions: ['Rebuild the agent with `mielin agent build`.'],
    cause
  })
}

/** Reads bytes front to back; every overrun or malformed number throws E_WASM_INVALID. */
export class ByteReader {
  pos: number

  constructor (readonly bytes: Uint8Array, start = 0, readonly end = bytes.length) {
    this.pos = start
  }

  get atEnd (): boolean { return this.pos >= this.end }

  u8 (): number {
    if (this.pos >= this.end) throw invalidWasm(`unexpected end of data at byte ${this.pos}`)
    return this.bytes[this.pos++]
  }

  /** An unsigned LEB128 of at most `bits` bits, as a bigint. */
  uleb (bits: 32 | 64): bigint {
    const at = this.pos
    const maxBytes = Math.ceil(bits / 7)
    let result = 0n
    let shift = 0n
    for (let i = 0; i < maxBytes; i++) {
      const byte = this.u8()
      result |= BigInt(byte & 0x7f) << shift
      shift += 7n
      if ((byte & 0x80) === 0) {
        if (result >> BigInt(bits) !== 0n) throw invalidWasm(`a u${bits} at byte ${at} is out of range`)
        return result
      }
    }
    throw invalidWasm(`a u${bits} at byte ${at} is longer than ${maxBytes} bytes`)
  }

  u32 (): number { return Number(this.uleb(32)) }

  u64 (): bigint { return this.uleb(64) }

  /** A signed LEB128 of at most 33 bits (a heap type index); only its length matters here. */
  s33 (): void {
    for (let i = 0; i < 5; i++) {
      if ((this.u8() & 0x80) === 0) return
    }
    throw invalidWasm(`an s33 at byte ${this.pos - 5} is longer than 5 bytes`)
  }

  skip (n: number): void {
    if (n > this.end - this.pos) throw invalidWasm(`unexpected end of data at byte ${this.end}`)
    this.pos += n
  }

  /** A name: u32 length + UTF-8 bytes. */
  name (): string {
    const length = this.u32()
    const start = this.pos
    this.skip(length)
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes.subarray(start, this.pos))
    } catch (err) {
      throw invalidWasm(`the name at byte ${start} is not UTF-8`, err)
    }
  }
}

/** The minimal unsigned LEB128 encoding of `value`. */
export function encodeUleb (value: number | bigint): number[] {
  let v = BigInt(value)
  if (v < 0n) throw new RangeError(`LEB128 of a negative number: ${v}`)
  const out: number[] = []
  do {
    let byte = Number(v & 0x7fn)
    v >>= 7n
    if (v !== 0n) byte |= 0x80
    out.push(byte)
  } while (v !== 0n)
  return out
}

/** Checks the header and splits a core module into its sections, in order. */
export function readSections (bytes: Uint8Array): WasmSection[] {
  if (bytes.length < HEADER_SIZE || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw invalidWasm('it does not start with the WebAssembly magic bytes "\\0asm"')
  }
  if (COMPONENT_VERSION.every((b, i) => bytes[4 + i] === b)) {
    throw invalidWasm('it is a component, not a core module; cap each of its core modules instead')
  }
  if (!CORE_VERSION.every((b, i) => bytes[4 + i] === b)) {
    throw invalidWasm(`unsupported binary version ${Array.from(bytes.subarray(4, 8), (b) => b.toString(16).padStart(2, '0')).join(' ')} (expected 01 00 00 00)`)
  }
  const reader = new ByteReader(bytes, HEADER_SIZE)
  const sections: WasmSection[] = []
  while (!reader.atEnd) {
    const start = reader.pos
    const id = reader.u8()
    if (id > SectionId.tag) throw invalidWasm(`unknown section id ${id} at byte ${start}`)
    const size = reader.u32()
    const contentStart = reader.pos
    if (size > bytes.length - contentStart) {
      throw invalidWasm(`section ${id} at byte ${start} claims ${size} bytes but only ${bytes.length - contentStart} remain`)
    }
    reader.pos += size
    sections.push({ id, start, contentStart, end: reader.pos })
  }
  return sections
}

/** Concatenates byte chunks. */
export function concatBytes (chunks: ReadonlyArray<Uint8Array | readonly number[]>): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, 0)
  const out = new Uint8Array(total)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }
  return out
}

/** A whole section (id + size + content) around new content. */
export function encodeSection (id: number, content: Uint8Array): Uint8Array {
  return concatBytes([[id, ...encodeUleb(content.length)], content])
}
