import type { Model, Tensor, TensorEngine } from '../tensor/index.js'
import { loadModel } from '../tensor/index.js'
import { InvalidArgumentError } from '../errors.js'
import { QuotaError } from './errors.js'

/**
 * One agent's tensors and models, kept on the host: the agent only ever sees numbers
 * (handles). Every tensor counts against the agent's memory limit, and all of them are
 * freed when the agent stops.
 */
const BINARY = new Set(['add', 'sub', 'mul', 'div', 'matmul'])
const UNARY = new Set(['relu', 'gelu', 'softmax', 'sum', 'mean', 'transpose'])

export class AgentTensors {
  readonly #tensors = new Map<number, Tensor>()
  readonly #models = new Map<number, Model>()
  #next = 1
  #bytes = 0

  constructor (private readonly engine: TensorEngine, private readonly limitBytes: number) {}

  #add (t: Tensor): number {
    if (this.#bytes + t.size * 4 > this.limitBytes) {
      t.dispose()
      throw new QuotaError(`Tensors would use more than the agent's ${Math.round(this.limitBytes / 2 ** 20)} MiB memory limit.`, undefined, {
        suggestions: ['Dispose tensors you no longer need, or raise limits.memoryMb in mielin.json.']
      })
    }
    this.#bytes += t.size * 4
    const h = this.#next++
    this.#tensors.set(h, t)
    return h
  }

  #get (h: number): Tensor {
    const t = this.#tensors.get(h)
    if (t === undefined) throw new InvalidArgumentError(`No tensor with handle ${h} (it was disposed, or never created).`)
    return t
  }

  create (data: ArrayLike<number>, shape: ArrayLike<number>): number {
    return this.#add(this.engine.fromArray(Float32Array.from(data), Array.from(shape)))
  }

  async read (h: number): Promise<{ data: Float32Array, shape: number[] }> {
    const t = this.#get(h)
    return { data: Float32Array.from(await t.data()), shape: [...t.shape] }
  }

  dispose (h: number): void {
    const t = this.#tensors.get(h)
    if (t === undefined) return
    this.#bytes -= t.size * 4
    t.dispose()
    this.#tensors.delete(h)
  }

  async binary (op: string, a: number, b: number): Promise<number> {
    if (!BINARY.has(op)) throw InvalidArgumentError.choice('binary op', op, [...BINARY])
    const ta = this.#get(a)
    const tb = this.#get(b)
    return this.#add(await ta[op as 'add'](tb))
  }

  async unary (op: string, a: number): Promise<number> {
    if (!UNARY.has(op)) throw InvalidArgumentError.choice('unary op', op, [...UNARY])
    const t = this.#get(a)
    return this.#add(await t[op as 'relu']())
  }

  async reshape (h: number, shape: ArrayLike<number>): Promise<number> {
    return this.#add(await this.#get(h).reshape(Array.from(shape)))
  }

  async loadModel (bytes: Uint8Array): Promise<number> {
    const model = await loadModel(this.engine, bytes)
    const h = this.#next++
    this.#models.set(h, model)
    return h
  }

  async runModel (h: number, inputs: Array<[string, number]>): Promise<Array<[string, number]>> {
    const model = this.#models.get(h)
    if (model === undefined) throw new InvalidArgumentError(`No model with handle ${h}.`)
    const out = await model.run(Object.fromEntries(inputs.map(([name, t]) => [name, this.#get(t)])))
    return Object.entries(out).map(([name, t]) => [name, this.#add(t)])
  }

  async close (): Promise<void> {
    for (const h of [...this.#tensors.keys()]) this.dispose(h)
    for (const m of this.#models.values()) await m.close()
    this.#models.clear()
  }
}
