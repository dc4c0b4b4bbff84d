import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { AgentManifest } from '../types/index.js'
import { FIX_WASM, WasmInvalidError } from '../wasm/index.js'
import { parseManifest } from './parse.js'
import { readManifest } from './section.js'

/** A built agent: its component's bytes and its manifest. */
export interface AgentFile { bytes: Uint8Array, manifest: AgentManifest }

/**
 * Reads a built agent (`dist/<name>.wasm`): the component, and its manifest — embedded in the
 * component (the `mielin:manifest` section), else `<name>.manifest.json` beside it.
 */
export async function readAgentFile (file: string): Promise<AgentFile> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(file)
  } catch (err) {
    throw new WasmInvalidError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`, 'E_NOT_FOUND', {
      cause: err, suggestions: ['Build the agent first with `mielin agent build`, then pass dist/<name>.wasm.']
    })
  }
  return { bytes, manifest: await manifestOf(bytes, file) }
}

/** The manifest a component carries; `file` (where it came from) also finds a manifest beside it. */
export async function manifestOf (bytes: Uint8Array, file?: string): Promise<AgentManifest> {
  const embedded = readManifest(bytes)
  if (embedded !== undefined) return parseManifest(embedded, file ?? 'component')
  if (file !== undefined) {
    const beside = file.replace(/\.wasm$/, '.manifest.json')
    try {
      return parseManifest(JSON.parse(await readFile(beside, 'utf8')), beside)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    throw new WasmInvalidError(`${file} carries no mielin manifest, and there is no ${path.basename(beside)} beside it.`, 'E_MANIFEST_MISSING', { suggestions: [FIX_WASM] })
  }
  throw new WasmInvalidError('The component carries no mielin manifest.', 'E_MANIFEST_MISSING', { suggestions: [FIX_WASM] })
}
