import { QuotaError } from './errors.js'

/** Per-namespace (tenant) limits. Unset fields are unlimited. */
export interface NamespaceQuota {
  /** Agents running at once. */
  agents?: number
  /** Sum of the agents' memory limits, MiB. */
  memoryMb?: number
  /** Messages accepted per second, summed over the namespace's agents. */
  messagesPerSec?: number
  /** Handler CPU time per second of wall time, ms (1000 = one full core). */
  cpuMsPerSec?: number
}

/**
 * One tenant's accounting. Rates use one-second windows: simple, and enough to stop a
 * tenant from flooding the node; a refused message gets E_QUOTA and is not enqueued.
 */
export class Namespace {
  agents = 0
  memoryMb = 0
  #window = 0
  #messages = 0
  #cpuMs = 0

  constructor (readonly name: string, public quota: NamespaceQuota = {}) {}

  #roll (now: number): void {
    const w = Math.floor(now / 1000)
    if (w !== this.#window) {
      this.#window = w
      this.#messages = 0
      this.#cpuMs = 0
    }
  }

  admitAgent (memoryMb: number): void {
    const q = this.quota
    if (q.agents !== undefined && this.agents + 1 > q.agents) {
      throw new QuotaError(`Namespace "${this.name}" already runs ${this.agents} agents, its quota.`, undefined, { suggestions: ['Stop an agent first, or raise the namespace quota.'] })
    }
    if (q.memoryMb !== undefined && this.memoryMb + memoryMb > q.memoryMb) {
      throw new QuotaError(`Namespace "${this.name}" would use ${this.memoryMb + memoryMb} MiB, over its ${q.memoryMb} MiB quota.`, undefined, { suggestions: ['Lower limits.memoryMb of the agent, stop another agent, or raise the quota.'] })
    }
    this.agents++
    this.memoryMb += memoryMb
  }

  releaseAgent (memoryMb: number): void {
    this.agents = Math.max(0, this.agents - 1)
    this.memoryMb = Math.max(0, this.memoryMb - memoryMb)
  }

  admitMessage (now = Date.now()): void {
    this.#roll(now)
    const q = this.quota
    if (q.messagesPerSec !== undefined && this.#messages + 1 > q.messagesPerSec) {
      throw new QuotaError(`Namespace "${this.name}" is over its ${q.messagesPerSec} messages/s quota.`, undefined, { suggestions: ['Send more slowly, or raise the namespace quota.'] })
    }
    if (q.cpuMsPerSec !== undefined && this.#cpuMs >= q.cpuMsPerSec) {
      throw new QuotaError(`Namespace "${this.name}" used its ${q.cpuMsPerSec} ms of CPU time for this second.`, undefined, { suggestions: ['Retry in a second, make the handlers cheaper, or raise the quota.'] })
    }
    this.#messages++
  }

  chargeCpu (ms: number, now = Date.now()): void {
    this.#roll(now)
    this.#cpuMs += ms
  }
}

/** The node's namespaces by name; one named for the first time starts without quotas. */
export class Namespaces {
  readonly #byName = new Map<string, Namespace>()

  constructor (quotas: Record<string, NamespaceQuota> = {}) {
    for (const [name, quota] of Object.entries(quotas)) this.#byName.set(name, new Namespace(name, quota))
  }

  get (name: string): Namespace {
    let ns = this.#byName.get(name)
    if (ns === undefined) {
      ns = new Namespace(name)
      this.#byName.set(name, ns)
    }
    return ns
  }
}
