import { InvalidInputError } from '../errors.js'
import { parseManifest } from './parse.js'
import type { AgentManifest } from '../types/index.js'

/**
 * The manifest travels inside the agent's component as a custom section named
 * `mielin:manifest` whose content is the manifest's JSON (UTF-8). A custom section (id 0)
 * is allowed anywhere at the top level of a core module or a component, and engines and jco
 * ignore it, so `embedManifest` simply appends one (after removing an older one).
 */
export const MANIFEST_SECTION = 'mielin:manifest'

const MAGIC = [0x00, 0x61, 0x73, 0x6d]
const HEADER = 8

interface Section { id: number, start: number, end: number, name?: string, contentStart: number }

/** The component (or module) with `manifest` in its `mielin:manifest` section. */
export function embedManifest (wasm: Uint8Array, manifest: AgentManifest): Uint8Array {
  const kept = sections(wasm).filter((s) => s.name !== MANIFEST_SECTION)
  const name = new TextEncoder().encode(MANIFEST_SECTION)
  const json = new TextEncoder().encode(JSON.stringify(manifest))
  const content = [...uleb(name.length), ...name]
  const size = content.length + json.length
  const section = [0, ...uleb(size), ...content]
  const out = new Uint8Array(HEADER + kept.reduce((n, s) => n + s.end - s.start, 0) + section.length + json.length)
  out.set(wasm.subarray(0, HEADER), 0)
  let at = HEADER
  for (const s of kept) {
    out.set(wasm.subarray(s.start, s.end), at)
    at += s.end - s.start
  }
  out.set(section, at)
  out.set(json, at + section.length)
  return out
}

/** The embedded manifest, validated, or undefined when the binary has none. */
export function readManifest (wasm: Uint8Array): AgentManifest | undefined {
  const section = sections(wasm).find((s) => s.name === MANIFEST_SECTION)
  if (section === undefined) return undefined
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(wasm.subarray(section.contentStart, section.end)))
  } catch (err) {
    throw invalid('its mielin:manifest section is not JSON', err)
  }
  return parseManifest(json, 'the embedded manifest')
}

/** The top-level sections; custom ones carry their name. Throws E_WASM_INVALID on bad bytes. */
function sections (wasm: Uint8Array): Section[] {
  if (wasm.length < HEADER || !MAGIC.every((b, i) => wasm[i] === b)) throw invalid('it does not start with "\\0asm"')
  const out: Section[] = []
  let pos = HEADER
  const read = (): number => {
    let result = 0
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= wasm.length) throw invalid(`it ends inside a section header at byte ${pos}`)
      const byte = wasm[pos++]
      result += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) return result
    }
    throw invalid(`a size at byte ${pos} is too long`)
  }
  while (pos < wasm.length) {
    const start = pos
    const id = wasm[pos++]
    const size = read()
    const contentStart = pos
    const end = contentStart + size
    if (end > wasm.length) throw invalid(`section ${id} at byte ${start} runs past the end`)
    const section: Section = { id, start, end, contentStart }
    if (id === 0) {
      const nameLength = read()
      section.name = new TextDecoder().decode(wasm.subarray(pos, pos + nameLength))
      section.contentStart = pos + nameLength
      if (section.contentStart > end) throw invalid(`the name of the custom section at byte ${start} runs past its end`)
    }
    out.push(section)
    pos = end
  }
  return out
}

function uleb (value: number): number[] {
  const out: number[] = []
  do {
    let byte = value & 0x7f
    value = Math.floor(value / 128)
    if (value !== 0) byte |= 0x80
    out.push(byte)
  } while (value !== 0)
  return out
}

function invalid (why: string, cause?: unknown): InvalidInputError {
  return new InvalidInputError(`Not a valid WebAssembly binary: ${why}.`, 'E_WASM_INVALID', {
    cause,
    suggestions: ['Rebuild the agent with `mielin agent build`.']
  })
}
