import { pathToFileURL } from 'node:url'
import { buildImports, type HostBridge, type ImportBinding } from './imports.js'

/**
 * Instances of components inside one worker. Instantiating a componentize-js module copies
 * its ~9 MiB memory snapshot (≈ 13 ms), so the worker keeps one spare, instantiated but not
 * initialized, per recently used component, and makes the next one when it is idle: a warm
 * deploy, or a recycled agent, takes a spare in well under a millisecond.
 */

export interface AgentExports {
  init: (state?: Uint8Array) => void
  onMessage: (e: unknown) => string | undefined
  onMigrate: () => Uint8Array
  /** Optional in the world: components built without the SDK may lack it. */
  onBatch?: (es: unknown[]) => BatchOutcome
}
/** `mielin:agent/types.batch-outcome`; no `state` means it did not change. */
export interface BatchOutcome { results: Array<{ tag: 'ok', val?: string } | { tag: 'err', val: string }>, state?: Uint8Array }
type Glue = { instantiate: (get: (n: string) => WebAssembly.Module, imports: unknown, core: (m: WebAssembly.Module, i: WebAssembly.Imports) => WebAssembly.Instance) => AgentExports }

export interface Instance {
  exports: AgentExports
  memories: WebAssembly.Memory[]
  /** Who the imports act for; set when the instance is given to an agent. */
  binding: ImportBinding
}

const MAX_SPARES = 4
const IDLE_MS = 20

export class Instances {
  readonly #glues = new Map<string, Glue>()
  readonly #modules = new Map<string, Record<string, WebAssembly.Module>>()
  readonly #spares = new Map<string, Instance>()
  readonly #wanted = new Set<string>()
  #idle: NodeJS.Timeout | undefined

  constructor (private readonly bridge: HostBridge) {}

  /** Registers a component (glue module and compiled core modules) under its key. */
  async prepare (key: string, gluePath: string, modules?: Record<string, WebAssembly.Module>): Promise<void> {
    if (modules !== undefined) this.#modules.set(key, modules)
    if (!this.#glues.has(key)) this.#glues.set(key, await import(pathToFileURL(gluePath).href) as Glue)
  }

  /** A fresh instance bound to `agent`: a spare if there is one, else instantiated now. */
  take (key: string, agent: string, caps: string[]): Instance {
    const instance = this.#spares.get(key) ?? this.#instantiate(key)
    this.#spares.delete(key)
    this.#wanted.add(key)
    instance.binding.agent = agent
    instance.binding.caps = caps
    return instance
  }

  /** Linear memory of an instance, bytes. */
  static memoryOf (i: Instance): number { return i.memories.reduce((n, m) => n + m.buffer.byteLength, 0) }

  /** Call after each piece of work: spares are made only after IDLE_MS without any. */
  busy (): void { clearTimeout(this.#idle) }

  idle (): void {
    clearTimeout(this.#idle)
    this.#idle = setTimeout(() => this.#refill(), IDLE_MS)
    this.#idle.unref()
  }

  #refill (): void {
    for (const key of this.#wanted) {
      this.#wanted.delete(key)
      if (this.#spares.has(key)) continue
      if (this.#spares.size >= MAX_SPARES) this.#spares.delete(this.#spares.keys().next().value as string)
      try { this.#spares.set(key, this.#instantiate(key)) } catch { /* the next take instantiates itself */ }
    }
  }

  #instantiate (key: string): Instance {
    const glue = this.#glues.get(key)
    const modules = this.#modules.get(key)
    if (glue === undefined || modules === undefined) throw new Error(`component ${key} was not prepared in this worker`)
    const binding: ImportBinding = { agent: '', caps: [] }
    const memories: WebAssembly.Memory[] = []
    const exports = glue.instantiate((n) => modules[n], buildImports(binding, this.bridge), (m, i) => {
      const instance = new WebAssembly.Instance(m, i)
      for (const v of Object.values(instance.exports)) if (v instanceof WebAssembly.Memory) memories.push(v)
      return instance
    })
    return { exports, memories, binding }
  }
}
