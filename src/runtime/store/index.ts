/**
 * The node's persistent state in its data directory: a LevelDB datastore (datastore-level,
 * the libp2p datastore interface, which the mesh will share for its peer store and DHT
 * records) holding agent records, checkpoints and kv state, and content-addressed
 * component blobs as files. Its folders are owner-only (0700), blobs 0600 too, and
 * `node.pid` names the process that has the data dir open (see ./pid-file.ts).
 *
 * @example
 * ```ts
 * const store = await NodeStore.open('/var/lib/mielin')
 * await store.saveCheckpoint('hello', state)
 * await store.close()
 * ```
 */
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { LevelDatastore } from 'datastore-level'
import { Key } from 'interface-datastore'
import { MielinError } from '../errors.js'
import type { AgentManifest } from '../types/index.js'
import { dataDirInUse, livePidOf, removePidFile, writePidFile } from './pid-file.js'

export { DataDirInUseError, PID_FILE } from './pid-file.js'

/** What the node remembers of a deployed agent, to bring it back after a restart. */
export interface StoredAgent {
  id: string
  namespace: string
  manifest: AgentManifest
  /** sha256 of its component, the name of its blob. */
  hash: string
  /** Capabilities it was granted. */
  caps: string[]
}

const enc = new TextEncoder()
const dec = new TextDecoder()
// base64url keeps any key or id safe inside a datastore Key path (no '/').
const part = (s: string): string => Buffer.from(s).toString('base64url')
const unpart = (s: string): string => Buffer.from(s, 'base64url').toString()

export class NodeStore {
  readonly #pending = new Map<string, Uint8Array>()
  #flushing: Promise<void> | undefined

  private constructor (readonly dir: string, readonly datastore: LevelDatastore) {}

  /**
   * Opens the data dir's store; the data dir, when made here, and the store's folders are
   * owner-only (0700). Fails with E_DATA_DIR_IN_USE, naming the PID, when another process
   * has it open.
   */
  static async open (dataDir: string): Promise<NodeStore> {
    for (const dir of ['blobs', 'datastore']) {
      // LevelDB would make its folder with the umask's mode (0755); made first, it is 0700,
      // and chmod tightens one that an older version made
      await mkdir(path.join(dataDir, dir), { recursive: true, mode: 0o700 })
      await chmod(path.join(dataDir, dir), 0o700)
    }
    const datastore = new LevelDatastore(path.join(dataDir, 'datastore'))
    try {
      await datastore.open()
    } catch (err) {
      // datastore-level keeps only the message ("Database failed to open"): a live holder named
      // in the PID file says it is LevelDB's lock; without one, it may also be damaged
      const holder = await livePidOf(dataDir)
      if (holder !== undefined) throw await dataDirInUse(dataDir, holder, err)
      throw new MielinError(`Cannot open the datastore in ${dataDir}: ${(err as Error).message}`, 'E_DATASTORE', {
        cause: err,
        suggestions: [
          `Another process may be using this data dir: look for it (lsof ${path.join(dataDir, 'datastore', 'LOCK')}) and stop it, or pass another --data-dir.`,
          'If none is, the datastore may be damaged: move the data dir away and start again.'
        ]
      })
    }
    await writePidFile(dataDir)
    return new NodeStore(dataDir, datastore)
  }

  // Blobs: component bytes by content hash, written atomically.
  async putBlob (hash: string, bytes: Uint8Array): Promise<void> {
    const file = path.join(this.dir, 'blobs', `${hash}.wasm`)
    if (await stat(file).then((s) => s.size === bytes.byteLength, () => false)) return // content-addressed: already there
    const tmp = `${file}.tmp-${process.pid}`
    await writeFile(tmp, bytes, { mode: 0o600 })
    await rename(tmp, file)
  }

  async getBlob (hash: string): Promise<Uint8Array | undefined> {
    return await readFile(path.join(this.dir, 'blobs', `${hash}.wasm`)).catch(() => undefined)
  }

  // Agents
  async saveAgent (a: StoredAgent): Promise<void> {
    await this.datastore.put(new Key(`/agents/${part(a.id)}/record`), enc.encode(JSON.stringify(a)))
  }

  async listAgents (): Promise<StoredAgent[]> {
    const out: StoredAgent[] = []
    for await (const { key, value } of this.datastore.query({ prefix: '/agents/' })) {
      if (key.toString().endsWith('/record')) out.push(JSON.parse(dec.decode(value)) as StoredAgent)
    }
    return out
  }

  /** Forgets an agent: its record, checkpoint and kv state. */
  async deleteAgent (id: string): Promise<void> {
    this.#pending.delete(id)
    for await (const key of this.datastore.queryKeys({ prefix: `/agents/${part(id)}/` })) await this.datastore.delete(key)
    for await (const key of this.datastore.queryKeys({ prefix: `/kv/${part(id)}/` })) await this.datastore.delete(key)
  }

  /**
   * Checkpoints: the newest state wins; writes are coalesced so a busy node costs one
   * datastore write at a time. Resolves once this state is written.
   */
  async saveCheckpoint (id: string, state: Uint8Array): Promise<void> {
    this.#pending.set(id, state)
    this.#flushing ??= this.#flush()
    await this.#flushing // the flush loop runs until nothing is pending, this state included
  }

  async getCheckpoint (id: string): Promise<Uint8Array | undefined> {
    const pending = this.#pending.get(id)
    if (pending !== undefined) return pending
    const key = new Key(`/agents/${part(id)}/checkpoint`)
    return (await this.datastore.has(key)) ? await this.datastore.get(key) : undefined
  }

  /** Waits until every checkpoint handed in so far is written. */
  async flush (): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing
  }

  async #flush (): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve))
    while (this.#pending.size > 0) {
      const batch = this.datastore.batch()
      for (const [id, state] of this.#pending) batch.put(new Key(`/agents/${part(id)}/checkpoint`), state)
      this.#pending.clear()
      await batch.commit()
    }
    this.#flushing = undefined
  }

  // kv: each agent's private keys, values are JSON text.
  async kvGet (id: string, key: string): Promise<string | undefined> {
    const k = new Key(`/kv/${part(id)}/${part(key)}`)
    return (await this.datastore.has(k)) ? dec.decode(await this.datastore.get(k)) : undefined
  }

  async kvSet (id: string, key: string, value: string): Promise<void> {
    await this.datastore.put(new Key(`/kv/${part(id)}/${part(key)}`), enc.encode(value))
  }

  async kvDelete (id: string, key: string): Promise<void> {
    await this.datastore.delete(new Key(`/kv/${part(id)}/${part(key)}`))
  }

  async kvKeys (id: string, prefix: string): Promise<string[]> {
    const out: string[] = []
    const base = `/kv/${part(id)}/`
    for await (const key of this.datastore.queryKeys({ prefix: base })) {
      const name = unpart(key.toString().slice(base.length))
      if (name.startsWith(prefix)) out.push(name)
    }
    return out.sort()
  }

  async close (): Promise<void> {
    await this.flush()
    await this.datastore.close()
    await removePidFile(this.dir)
  }

  /** Removes the whole data dir (tests, `--ephemeral`). */
  async destroy (): Promise<void> {
    await this.close().catch(() => {})
    await rm(this.dir, { recursive: true, force: true })
  }
}
