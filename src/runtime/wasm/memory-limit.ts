import { ExitCode, InvalidArgumentError, MielinError } from '../errors.js'
import {
  ByteReader, SectionId, concatBytes, encodeSection, encodeUleb, invalidWasm, readSections, type WasmSection
} from './wasm-sections.js'

/**
 * Caps an agent's linear memory before it is compiled: every memory of a core module gets a
 * declared maximum no larger than the agent's limit, so `memory.grow` past the limit returns
 * -1 inside the agent (and allocators trap) instead of taking the host's memory.
 *
 * @example
 * ```ts
 * const { bytes } = capMemory(core, pagesForMb(manifest.limits.memoryMb))
 * const module = new WebAssembly.Module(bytes)
 * ```
 */

/** One WebAssembly page: 64 KiB. */
export const WASM_PAGE_BYTES = 65536
/** Most pages a 32-bit memory can declare (4 GiB). */
const MAX_PAGES_32 = 65536n
/** Most pages a 64-bit memory can declare (2^64 bytes). */
const MAX_PAGES_64 = 1n << 48n

/** Pages in `mb` MiB (16 pages a MiB). */
export function pagesForMb (mb: number): number {
  return Math.floor(mb * 16)
}

export interface CappedMemory {
  /** Index in the module's memory index space: imported memories first, then defined ones. */
  index: number
  initialPages: number
  /** The maximum after capping. */
  maxPages: number
  /** The maximum the module declared; absent when it declared none. */
  previousMax?: number
  /** Set for an imported memory. */
  imported?: { module: string, name: string }
}

export interface CapMemoryResult {
  /** The rewritten module; every section other than import and memory is copied unchanged. */
  bytes: Uint8Array
  memories: CappedMemory[]
}

interface Limits { flags: number, min: bigint, max?: bigint }

const HAS_MAX = 0x01
const IS_64 = 0x04

function readLimits (reader: ByteReader, what: string): Limits {
  const at = reader.pos
  const flags = reader.u8()
  // 0x01 has-max, 0x02 shared, 0x04 64-bit; 0x08 (custom page sizes) would change what a page is.
  if (flags > 0x07) throw invalidWasm(`${what} at byte ${at} has limits flags 0x${flags.toString(16)}, which this host does not support`)
  const bits = (flags & IS_64) !== 0 ? 64 : 32
  const min = reader.uleb(bits)
  const max = (flags & HAS_MAX) !== 0 ? reader.uleb(bits) : undefined
  if (max !== undefined && max < min) throw invalidWasm(`${what} at byte ${at} has a maximum (${max}) below its minimum (${min})`)
  return max === undefined ? { flags, min } : { flags, min, max }
}

function encodeLimits ({ flags, min, max }: Limits): number[] {
  return [flags, ...encodeUleb(min), ...(max === undefined ? [] : encodeUleb(max))]
}

function mib (pages: bigint | number): string {
  const value = Number(pages) / 16
  return Number.isInteger(value) ? String(value) : value.toFixed(2)
}

function capLimits (limits: Limits, maxPages: number, index: number, imported?: CappedMemory['imported']): { limits: Limits, report: CappedMemory } {
  const ceiling = (limits.flags & IS_64) !== 0 ? MAX_PAGES_64 : MAX_PAGES_32
  const cap = BigInt(maxPages) < ceiling ? BigInt(maxPages) : ceiling
  if (limits.min > cap) {
    throw new MielinError(
      `The agent needs ${mib(limits.min)} MiB of memory at start but its limit is ${mib(maxPages)} MiB; raise limits.memoryMb in mielin.json.`,
      'E_QUOTA',
      {
        exitCode: ExitCode.denied,
        suggestions: [`Set "limits": { "memoryMb": ${Math.ceil(Number(limits.min) / 16)} } or more in mielin.json, then rebuild the agent.`]
      }
    )
  }
  const max = limits.max === undefined || limits.max > cap ? cap : limits.max
  const report: CappedMemory = { index, initialPages: Number(limits.min), maxPages: Number(max) }
  if (limits.max !== undefined) report.previousMax = Number(limits.max)
  if (imported !== undefined) report.imported = imported
  // Keep the shared and 64-bit bits; a shared memory must keep a maximum, which it now always has.
  return { limits: { flags: limits.flags | HAS_MAX, min: limits.min, max }, report }
}

/** Value types and reference types are one byte, except `(ref null? <heaptype>)`. */
function skipValType (reader: ByteReader): void {
  const byte = reader.u8()
  if (byte === 0x63 || byte === 0x64) reader.s33()
}

function capImports (bytes: Uint8Array, section: WasmSection, maxPages: number, memories: CappedMemory[]): Uint8Array {
  const reader = new ByteReader(bytes, section.contentStart, section.end)
  const chunks: Array<Uint8Array | number[]> = []
  let copiedTo = section.contentStart
  const count = reader.u32()
  for (let i = 0; i < count; i++) {
    const module = reader.name()
    const name = reader.name()
    const kindAt = reader.pos
    const kind = reader.u8()
    switch (kind) {
      case 0x00: reader.u32(); break // function: type index
      case 0x01: skipValType(reader); readLimits(reader, 'an imported table'); break
      case 0x02: {
        const start = reader.pos
        const capped = capLimits(readLimits(reader, `imported memory "${module}" "${name}"`), maxPages, memories.length, { module, name })
        memories.push(capped.report)
        chunks.push(bytes.subarray(copiedTo, start), encodeLimits(capped.limits))
        copiedTo = reader.pos
        break
      }
      case 0x03: skipValType(reader); reader.u8(); break // global: type + mutability
      case 0x04: reader.u8(); reader.u32(); break // tag: attribute + type index
      default: throw invalidWasm(`import "${module}" "${name}" at byte ${kindAt} has unknown kind 0x${kind.toString(16)}`)
    }
  }
  if (!reader.atEnd) throw invalidWasm(`the import section has ${section.end - reader.pos} bytes after its last entry`)
  chunks.push(bytes.subarray(copiedTo, section.end))
  return encodeSection(SectionId.import, concatBytes(chunks))
}

function capDefined (bytes: Uint8Array, section: WasmSection, maxPages: number, memories: CappedMemory[]): Uint8Array {
  const reader = new ByteReader(bytes, section.contentStart, section.end)
  const count = reader.u32()
  const entries: number[] = [...encodeUleb(count)]
  for (let i = 0; i < count; i++) {
    const capped = capLimits(readLimits(reader, `memory ${memories.length}`), maxPages, memories.length)
    memories.push(capped.report)
    entries.push(...encodeLimits(capped.limits))
  }
  if (!reader.atEnd) throw invalidWasm(`the memory section has ${section.end - reader.pos} bytes after its last entry`)
  return encodeSection(SectionId.memory, new Uint8Array(entries))
}

/**
 * Rewrites a core module so each memory, defined or imported, has a maximum of at most
 * `maxPages` (64 KiB pages). An imported memory is capped too, so a module importing a capped
 * memory still links (its maximum stays at or above the exporter's).
 *
 * Throws `E_QUOTA` when a memory needs more pages at start than `maxPages`, and
 * `E_WASM_INVALID` when the bytes are not a well-formed core module.
 */
export function capMemory (core: Uint8Array, maxPages: number): CapMemoryResult {
  if (!Number.isSafeInteger(maxPages) || maxPages < 0) {
    throw new InvalidArgumentError(`The memory limit must be a whole number of pages, 0 or more; got ${maxPages}.`)
  }
  const sections = readSections(core)
  const memories: CappedMemory[] = []
  const chunks: Uint8Array[] = [core.subarray(0, sections[0]?.start ?? core.length)]
  const seen = new Set<number>()
  for (const section of sections) {
    if (section.id !== SectionId.custom) {
      if (seen.has(section.id)) throw invalidWasm(`section ${section.id} appears twice (second at byte ${section.start})`)
      seen.add(section.id)
    }
    if (section.id === SectionId.import) chunks.push(capImports(core, section, maxPages, memories))
    else if (section.id === SectionId.memory) chunks.push(capDefined(core, section, maxPages, memories))
    else chunks.push(core.subarray(section.start, section.end))
  }
  return { bytes: concatBytes(chunks), memories }
}
