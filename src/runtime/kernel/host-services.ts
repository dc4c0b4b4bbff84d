import { InvalidArgumentError } from '../errors.js'
import type { NodeStore } from '../store/index.js'
import type { TensorEngine } from '../tensor/index.js'
import type { HostCallName } from '../wasm/index.js'
import type { CapabilitySpace } from './capabilities.js'
import { delegatedGrants } from './delegation.js'
import { AgentTensors } from './tensor-host.js'
import type { EnvelopeKind } from '../types/index.js'

/**
 * The host side of an agent's imports: every call checks the agent's capability space
 * first (the worker's deny-by-default imports are a first fence; this is the authority,
 * and it sees revocations), then does the work on the main thread.
 */

export interface HostServicesDeps {
  agent: (id: string) => { caps: CapabilitySpace, manifest: { limits: { memoryMb: number } } }
  /** Sends an agent's message; `grants`: the capabilities it delegates with it. */
  send: (from: string, to: string, payload: string, kind: EnvelopeKind, grants?: string[]) => string
  store?: NodeStore
  tensor?: () => Promise<TensorEngine>
}

export class HostServices {
  readonly #deps: HostServicesDeps
  readonly #kv = new Map<string, Map<string, string>>() // without a store: in memory
  readonly #tensors = new Map<string, AgentTensors>()
  #engine?: Promise<TensorEngine>

  constructor (deps: HostServicesDeps) { this.#deps = deps }

  /**
   * Loads what an agent with these capabilities will call before it handles a message: the
   * tensor engine takes a second or more to start, which would otherwise count against the
   * deadline of the agent's first message. A failure surfaces on the agent's first tensor call.
   */
  async prepare (caps: readonly string[]): Promise<void> {
    if (!caps.includes('tensor') || this.#deps.tensor === undefined) return
    this.#engine ??= this.#deps.tensor()
    await this.#engine.catch(() => undefined)
  }

  async call (id: string, fn: HostCallName, args: unknown[]): Promise<unknown> {
    const agent = this.#deps.agent(id)
    const [group, op] = fn.includes('.') ? fn.split('.') : ['host', fn]
    switch (group) {
      case 'host': {
        const [to, payload, delegate] = args as [string, string, string[] | undefined]
        agent.caps.require('send', to)
        // Delegated capabilities travel with the message: the receiver's kernel, here or on
        // another node, grants them (see delegation.ts).
        const grants = delegate === undefined ? undefined : delegatedGrants(agent.caps, delegate)
        return this.#deps.send(id, to, payload, op === 'request' ? 'request' : 'message', grants)
      }
      case 'kv':
        agent.caps.require('kv')
        return await this.#kvCall(id, op, args as string[])
      case 'tensor':
        agent.caps.require('tensor')
        return await this.#tensorCall(id, agent.manifest.limits.memoryMb, op, args)
    }
    throw new InvalidArgumentError(`Unknown host function ${fn}.`)
  }

  async #kvCall (id: string, op: string, [key, value]: string[]): Promise<unknown> {
    const store = this.#deps.store
    if (store !== undefined) {
      switch (op) {
        case 'get': return await store.kvGet(id, key)
        case 'set': return await store.kvSet(id, key, value)
        case 'delete': return await store.kvDelete(id, key)
        case 'keys': return await store.kvKeys(id, key)
      }
    }
    let map = this.#kv.get(id)
    if (map === undefined) this.#kv.set(id, map = new Map<string, string>())
    switch (op) {
      case 'get': return map.get(key)
      case 'set': map.set(key, value); return undefined
      case 'delete': map.delete(key); return undefined
      case 'keys': return [...map.keys()].filter((k) => k.startsWith(key)).sort()
    }
    throw new InvalidArgumentError(`Unknown kv function ${op}.`)
  }

  async #tensorCall (id: string, memoryMb: number, op: string, args: unknown[]): Promise<unknown> {
    let t = this.#tensors.get(id)
    if (t === undefined) {
      if (this.#deps.tensor === undefined) throw new InvalidArgumentError('This node has no tensor engine.')
      this.#engine ??= this.#deps.tensor()
      t = new AgentTensors(await this.#engine, memoryMb * 2 ** 20)
      this.#tensors.set(id, t)
    }
    // The worker passes each call's arguments in the order and types of the WIT tensor interface.
    type Args<K extends keyof AgentTensors> = Parameters<AgentTensors[K]>
    switch (op) {
      case 'create': return t.create(...args as Args<'create'>)
      case 'read': return await t.read(...args as Args<'read'>)
      case 'dispose': return t.dispose(...args as Args<'dispose'>)
      case 'binary': return await t.binary(...args as Args<'binary'>)
      case 'unary': return await t.unary(...args as Args<'unary'>)
      case 'reshape': return await t.reshape(...args as Args<'reshape'>)
      case 'loadModel': return await t.loadModel(...args as Args<'loadModel'>)
      case 'runModel': return await t.runModel(...args as Args<'runModel'>)
    }
    throw new InvalidArgumentError(`Unknown tensor function ${op}.`)
  }

  /** Frees an agent's tensors and in-memory kv when it stops or leaves. */
  async release (id: string): Promise<void> {
    await this.#tensors.get(id)?.close()
    this.#tensors.delete(id)
    this.#kv.delete(id)
  }

  async close (): Promise<void> {
    for (const id of [...this.#tensors.keys()]) await this.release(id)
    if (this.#engine !== undefined) await (await this.#engine).close()
  }
}
