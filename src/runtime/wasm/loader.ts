import { createHash, randomUUID } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { throwIfAborted } from '../errors.js'
import { defaultLogger, type Logger } from '../logger.js'
import { WasmInvalidError, FIX_WASM } from './errors.js'
import { capMemory } from './memory-limit.js'
import { WORLD_EXPORTS, WORLD_IMPORTS } from './world.js'

/**
 * Turns component bytes into something workers can instantiate fast: jco transpiles the
 * component once per content hash into JS glue plus core modules (cached on disk, so a
 * restarted node skips it), and each core module is compiled once per memory limit and
 * shared with every worker (a compiled `WebAssembly.Module` crosses threads without
 * recompiling).
 */

export interface LoadedComponent {
  /** sha256 of the component bytes, hex. */
  hash: string
  /** The transpiled glue module; workers import it. */
  gluePath: string
  coreNames: string[]
}

export interface ComponentLoaderInit {
  /** Where transpiled components are cached. */
  cacheDir: string
  logger?: Logger
}

// Hashing a 12 MB component costs ~10 ms; a node that deploys the same bytes again (a warm
// deploy from its blob store) should not pay it twice.
const hashes = new WeakMap<Uint8Array, string>()

/** sha256 of component bytes, hex; remembered per buffer. */
export function hashBytes (bytes: Uint8Array): string {
  let hash = hashes.get(bytes)
  if (hash === undefined) {
    hash = createHash('sha256').update(bytes).digest('hex')
    hashes.set(bytes, hash)
  }
  return hash
}

export class ComponentLoader {
  readonly #cacheDir: string
  readonly #log: Logger
  readonly #loaded = new Map<string, Promise<LoadedComponent>>()
  readonly #compiled = new Map<string, Promise<Record<string, WebAssembly.Module>>>()

  constructor (init: ComponentLoaderInit) {
    this.#cacheDir = init.cacheDir
    this.#log = init.logger ?? defaultLogger('wasm')
  }

  /** Transpiles (or finds in the cache) and checks a component; throws E_WASM_INVALID. */
  async load (bytes: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<LoadedComponent> {
    throwIfAborted(options.signal)
    const hash = hashBytes(bytes)
    let loaded = this.#loaded.get(hash)
    if (loaded === undefined) {
      loaded = this.#loadUncached(hash, bytes)
      this.#loaded.set(hash, loaded)
      loaded.catch(() => this.#loaded.delete(hash))
    }
    return await loaded
  }

  /** Core modules of a loaded component with every memory capped at `memoryMb`; compiled once. */
  async modules (component: LoadedComponent, memoryMb: number): Promise<Record<string, WebAssembly.Module>> {
    const key = `${component.hash}:${memoryMb}`
    let compiled = this.#compiled.get(key)
    if (compiled === undefined) {
      compiled = this.#compile(component, memoryMb)
      this.#compiled.set(key, compiled)
      compiled.catch(() => this.#compiled.delete(key))
    }
    return await compiled
  }

  async #compile (component: LoadedComponent, memoryMb: number): Promise<Record<string, WebAssembly.Module>> {
    const dir = path.dirname(component.gluePath)
    const entries = await Promise.all(component.coreNames.map(async (name) => {
      const { bytes } = capMemory(await readFile(path.join(dir, name)), memoryMb * 16) // 16 pages of 64 KiB = 1 MiB
      return [name, await WebAssembly.compile(bytes)] as const
    }))
    return Object.fromEntries(entries)
  }

  async #loadUncached (hash: string, bytes: Uint8Array): Promise<LoadedComponent> {
    const dir = path.join(this.#cacheDir, hash)
    const metaPath = path.join(dir, 'meta.json')
    try {
      const meta = JSON.parse(await readFile(metaPath, 'utf8')) as { coreNames: string[] }
      return { hash, gluePath: path.join(dir, 'agent.mjs'), coreNames: meta.coreNames }
    } catch {
      // Not cached yet: transpile below.
    }
    const started = performance.now()
    const { transpile } = await import('@bytecodealliance/jco')
    let out: Awaited<ReturnType<typeof transpile>>
    try {
      out = await transpile(bytes, { name: 'agent', instantiation: 'sync', noTypescript: true, quiet: true })
    } catch (err) {
      const why = (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 300)
      throw new WasmInvalidError(`This is not a valid WebAssembly component: ${why}`, undefined, { cause: err, suggestions: [FIX_WASM] })
    }
    checkWorld(out.exports.map(([name]) => name), out.imports)
    const coreNames = Object.keys(out.files).filter((f) => f.endsWith('.wasm'))
    // Write to a temporary folder and rename, so a crash never leaves a half-written cache entry.
    // Owner-only, like the data dir it lives in: it holds the agents' code.
    // unique per load: two loads in one process and one millisecond must not share it
    const tmp = `${dir}.tmp-${process.pid}-${randomUUID()}`
    await mkdir(tmp, { recursive: true, mode: 0o700 })
    const write = async (name: string, data: string | Uint8Array): Promise<void> => { await writeFile(path.join(tmp, name), data, { mode: 0o600 }) }
    for (const name of coreNames) await write(name, out.files[name])
    // .mjs: the glue is an ES module, and the cache folder has no package.json saying so.
    await write('agent.mjs', out.files['agent.js'])
    await write('meta.json', JSON.stringify({ coreNames }))
    await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err
      await rm(tmp, { recursive: true, force: true }) // another process cached it first
    })
    this.#log(`transpiled ${hash.slice(0, 12)} in ${(performance.now() - started).toFixed(0)} ms`)
    return { hash, gluePath: path.join(dir, 'agent.mjs'), coreNames }
  }
}

/** Checks a component's exports and imports against the world. */
export function checkWorld (exports: string[], imports: string[]): void {
  const missing = WORLD_EXPORTS.filter((e) => !exports.includes(e))
  const foreign = imports.filter((i) => !(WORLD_IMPORTS as readonly string[]).includes(i.replace(/@[\d.]+$/, '')))
  if (missing.length > 0 || foreign.length > 0) {
    const parts = []
    if (missing.length > 0) parts.push(`it does not export ${missing.join(', ')}`)
    if (foreign.length > 0) parts.push(`it imports ${foreign.join(', ')}, which the mielin:agent world does not provide`)
    throw new WasmInvalidError(`This component is not a mielin agent: ${parts.join('; ')}.`, undefined, { suggestions: [FIX_WASM] })
  }
}
