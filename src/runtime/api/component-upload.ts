/**
 * A component sent to a node from afar (`agent deploy --remote`). A built agent is about
 * 12 MB and a control frame holds 1 MiB, so the bytes go up in `agent.upload` calls of
 * 512 KiB each, from the peer that then deploys it: the node keeps them in memory
 * under an upload id until `agent.deploy { upload }` takes them, or drops them after a
 * minute without a chunk. The local CLI sends a path instead: the node reads the file itself.
 */
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { InvalidInputError, UnavailableError } from '../errors.js'
import { readAgentFile } from '../manifest/index.js'
import { base64, parseFrame, type RpcClient } from '../rpc/index.js'

/** The largest component a node takes from afar. */
export const MAX_UPLOAD_BYTES = 64 * 1024 * 1024
/** Bytes per `agent.upload` call: 683 KiB of base64, under the control protocol's 1 MiB frame. */
export const UPLOAD_CHUNK_BYTES = 512 * 1024
/** Uploads a node holds at once (each up to MAX_UPLOAD_BYTES). */
const MAX_OPEN_UPLOADS = 4
/** An upload that gets no chunk for this long is dropped. */
const IDLE_MS = 60_000
/** An upload not finished this long after it began is dropped (a trickle cannot hold a slot). */
const WHOLE_MS = 5 * 60_000

const MiB = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`

/** One `agent.upload` call: the first names the total size and gets an upload id; the next ones name it. */
export const uploadChunkSchema = z.object({
  upload: z.string().min(1).max(64).optional(),
  size: z.int().min(1),
  data: base64({ maxBytes: UPLOAD_CHUNK_BYTES })
})
export type UploadChunk = z.infer<typeof uploadChunkSchema>

interface Upload { owner: string, size: number, parts: Buffer[], received: number, timer: NodeJS.Timeout, until: number }

/**
 * The uploads a node holds, each readable only by the peer (`owner`) that made it, one at a
 * time per peer: a peer that begins another drops its unfinished one.
 */
export class ComponentUploads {
  readonly #open = new Map<string, Upload>()

  /** Adds a chunk (`params` as the caller sent them); returns the upload id and the bytes received so far. */
  add (owner: string, params: unknown): { upload: string, received: number } {
    const chunk = parseFrame(uploadChunkSchema, params, 'agent.upload')
    const id = chunk.upload ?? this.#begin(owner, chunk.size)
    const u = this.#get(owner, id)
    if (Date.now() > u.until) {
      this.#drop(id)
      throw new UnavailableError(`The upload took longer than ${WHOLE_MS / 60_000} minutes and was dropped.`, 'E_UPLOAD_INVALID', { suggestions: ['Run the deploy again over a faster link, or deploy on the node\'s own machine.'] })
    }
    const bytes = Buffer.from(chunk.data, 'base64')
    if (u.received + bytes.length > u.size) {
      this.#drop(id)
      throw new InvalidInputError(`The upload got more than the ${u.size} bytes it announced.`, 'E_UPLOAD_INVALID', { suggestions: ['Run the deploy again.'] })
    }
    u.parts.push(bytes)
    u.received += bytes.length
    u.timer.refresh()
    return { upload: id, received: u.received }
  }

  /** The whole component of a finished upload, which is then forgotten. */
  take (owner: string, id: string): Uint8Array {
    const u = this.#get(owner, id)
    this.#drop(id)
    if (u.received !== u.size) {
      throw new InvalidInputError(`The upload stopped at ${u.received} of ${u.size} bytes.`, 'E_UPLOAD_INVALID', { suggestions: ['Run the deploy again.'] })
    }
    return new Uint8Array(Buffer.concat(u.parts, u.size))
  }

  /** Uploads open now. */
  get size (): number { return this.#open.size }

  /** Drops every upload. */
  clear (): void { for (const id of [...this.#open.keys()]) this.#drop(id) }

  #begin (owner: string, size: number): string {
    if (size > MAX_UPLOAD_BYTES) {
      throw new InvalidInputError(`The component is ${MiB(size)}: a node takes at most ${MiB(MAX_UPLOAD_BYTES)} from afar.`, 'E_UPLOAD_TOO_BIG', {
        suggestions: ['Deploy it on the node\'s own machine (mielin agent deploy FILE, without --remote), or make the agent smaller.']
      })
    }
    for (const [id, u] of this.#open) if (u.owner === owner) this.#drop(id)
    if (this.#open.size >= MAX_OPEN_UPLOADS) {
      throw new UnavailableError(`The node is receiving ${this.#open.size} other components already.`, 'E_UPLOAD_BUSY', { suggestions: ['Run the deploy again in a minute.'] })
    }
    const id = randomBytes(16).toString('base64url')
    const timer = setTimeout(() => { this.#drop(id) }, IDLE_MS).unref()
    this.#open.set(id, { owner, size, parts: [], received: 0, timer, until: Date.now() + WHOLE_MS })
    return id
  }

  #get (owner: string, id: string): Upload {
    const u = this.#open.get(id)
    // another connection's upload reads as unknown: its id is not a way in
    if (u === undefined || u.owner !== owner) {
      throw new InvalidInputError(`No upload ${id.slice(0, 8)}… on this node: it finished, or got no chunk for ${IDLE_MS / 1000} s, or came on another connection.`, 'E_UPLOAD_INVALID', {
        suggestions: ['Run the deploy again.']
      })
    }
    return u
  }

  #drop (id: string): void {
    clearTimeout(this.#open.get(id)?.timer)
    this.#open.delete(id)
  }
}

/**
 * Sends a component to the node at the other end of `client`, chunk by chunk; resolves to
 * the upload id `agent.deploy { upload }` takes.
 */
export async function uploadComponent (client: RpcClient, bytes: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<string> {
  const all = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let upload: string | undefined
  for (let at = 0; at < all.length; at += UPLOAD_CHUNK_BYTES) {
    const data = all.subarray(at, at + UPLOAD_CHUNK_BYTES).toString('base64')
    const r = await client.call<{ upload: string }>('agent.upload', { upload, size: all.length, data }, { signal: options.signal })
    upload = r.upload
  }
  if (upload === undefined) throw new InvalidInputError('The component is empty.', 'E_WASM_INVALID', { suggestions: ['Build the agent again with `mielin agent build`.'] })
  return upload
}

/**
 * How `agent.deploy` names the component in `file`: its path, for the node on this machine
 * (it reads the file itself), or, for a node elsewhere, the id of an upload of its bytes. The
 * file is checked here first (a component with a manifest), so a wrong file is not sent.
 */
export async function componentSource (client: RpcClient, file: string, options: { remote: boolean, signal?: AbortSignal }): Promise<{ file: string } | { upload: string }> {
  if (!options.remote) return { file }
  const { bytes } = await readAgentFile(file)
  return { upload: await uploadComponent(client, bytes, options) }
}
