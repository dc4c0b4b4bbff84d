import type { PrivateKey } from '@libp2p/interface'
import { defaultLogger, type Logger } from '../../logger.js'
import { EpochConflictError, newer, type Directory, type DirectoryEntry } from './directory.js'
import { recordKey, signRecord, verifyRecord } from './records.js'

/**
 * The directory of a healthy cluster, in three layers, fastest first:
 * 1. a local cache, fed by this node's own writes and by peers' signed heartbeats (each
 *    lists the agents it runs, with their epochs);
 * 2. signed records in the Kademlia DHT;
 * 3. asking the connected peers directly — js-libp2p DHT lookups do fail, on small or
 *    freshly formed meshes especially.
 * A source node also keeps a forward pointer after a migration (see the kernel), so a
 * stale entry costs one extra hop, not a lost message.
 */
export interface DhtDirectoryDeps {
  self: string
  privateKey: PrivateKey
  dht: {
    put: (key: Uint8Array, value: Uint8Array, options?: { signal?: AbortSignal }) => Promise<void>
    get: (key: Uint8Array, options?: { signal?: AbortSignal }) => Promise<Uint8Array>
  }
  /** Fallback: ask peers whether they run the agent. */
  askPeers: (agent: string, options?: { signal?: AbortSignal }) => Promise<DirectoryEntry | undefined>
  logger?: Logger
  /** How long a DHT lookup may take before the fallback; default 1500 ms. */
  dhtTimeoutMs?: number
}

export class DhtDirectory implements Directory {
  readonly #d: DhtDirectoryDeps
  readonly #cache = new Map<string, DirectoryEntry>()
  readonly #log: Logger

  constructor (deps: DhtDirectoryDeps) {
    this.#d = deps
    this.#log = deps.logger ?? defaultLogger('directory')
  }

  /** Takes in an entry learned elsewhere (a verified heartbeat); keeps the newer one. */
  learn (entry: DirectoryEntry): void {
    const kept = newer(this.#cache.get(entry.agent), entry)
    if (kept !== undefined) this.#cache.set(entry.agent, kept)
  }

  /** Drops what we know of an agent (e.g. its node said it does not run it). */
  forget (agent: string, node?: string): void {
    if (node === undefined || this.#cache.get(agent)?.node === node) this.#cache.delete(agent)
  }

  known (): DirectoryEntry[] { return [...this.#cache.values()] }

  /** What the cache holds for one agent, without asking the DHT or the peers. */
  cached (agent: string): DirectoryEntry | undefined { return this.#cache.get(agent) }

  async get (agent: string, options: { signal?: AbortSignal } = {}): Promise<DirectoryEntry | undefined> {
    const cached = this.#cache.get(agent)
    if (cached !== undefined) return cached
    const found = newer(await this.#fromDht(agent, options.signal), undefined) ?? await this.#d.askPeers(agent, options)
    if (found !== undefined) this.learn(found)
    return found
  }

  async compareAndSet (agent: string, expectedEpoch: number | undefined, next: Omit<DirectoryEntry, 'agent' | 'ts'>, options: { signal?: AbortSignal } = {}): Promise<DirectoryEntry> {
    const current = newer(this.#cache.get(agent), await this.#fromDht(agent, options.signal))
    if (current?.epoch !== expectedEpoch) {
      throw new EpochConflictError(`Agent "${agent}" is at epoch ${current?.epoch ?? '(none)'} on ${current?.node ?? 'no node'}, not ${expectedEpoch ?? '(none)'}.`, undefined, {
        suggestions: ['Someone else moved or deployed it meanwhile; read the directory again and retry.']
      })
    }
    if (next.node !== this.#d.self) throw new Error('a node can only write directory entries for itself (they are signed with its key)')
    return this.write(agent, next.epoch)
  }

  /**
   * Records that this node owns `agent` at `epoch`, without a compare-and-set: for a claim
   * that the id's arbiter granted (cluster/id-arbiter.ts), which already decided.
   */
  write (agent: string, epoch: number): DirectoryEntry {
    const entry: DirectoryEntry = { agent, node: this.#d.self, epoch, ts: Date.now() }
    this.#cache.set(agent, entry)
    // The DHT write completes in the background: the cache and heartbeats already serve
    // lookups, and a slow DHT must not slow a deploy down.
    void signRecord(entry, this.#d.privateKey)
      .then(async (value) => await this.#d.dht.put(recordKey(agent), value, { signal: AbortSignal.timeout(10_000) }))
      .catch((err: Error) => this.#log(`directory put for ${agent} failed: ${err.message}`))
    return entry
  }

  async #fromDht (agent: string, signal?: AbortSignal): Promise<DirectoryEntry | undefined> {
    const timeout = AbortSignal.timeout(this.#d.dhtTimeoutMs ?? 1500)
    try {
      const value = await this.#d.dht.get(recordKey(agent), { signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]) })
      return await verifyRecord(recordKey(agent), value)
    } catch (err) {
      this.#log(`directory DHT lookup for ${agent}: ${(err as Error).message}`)
      return undefined
    }
  }
}
