/**
 * The control protocol: newline-delimited JSON over a Unix domain socket.
 *
 * - request  `{ "id": 1, "method": "agents.list", "params": {} }`
 * - reply    `{ "id": 1, "result": … }` or `{ "id": 1, "error": { code, message, suggestions, exitCode } }`
 * - stream   `{ "id": 2, "event": … }` lines, then `{ "id": 2, "end": true }` (or an error)
 * - cancel   `{ "id": 2, "cancel": true }` from the client stops a stream (or a call)
 *
 * A line that is not a request gets an error reply with `"id": null` (or its id when it had
 * one) and the connection stays usable; a line over {@link MAX_LINE_BYTES} closes it.
 */
import path from 'node:path'
import { z } from 'zod'
import { MielinError } from '../errors.js'

/** The control socket's file name in a data dir. */
export const CONTROL_SOCKET_FILE = 'control.sock'

/** Where the node with this data dir listens: `<dataDir>/control.sock`. */
export const controlSocketPath = (dataDir: string): string => path.join(dataDir, CONTROL_SOCKET_FILE)

/** The longest line either side accepts: 8 MiB. */
export const MAX_LINE_BYTES = 8 * 1024 * 1024

/** A request's id: a number, or a non-empty string. The client picks it; replies carry it back. */
export const requestIdSchema = z.union([z.number(), z.string().min(1)])
export type RequestId = z.infer<typeof requestIdSchema>

/** What the node checks a request line against (beyond these keys, a line may hold anything). */
export const controlRequestSchema = z.object({ id: requestIdSchema, method: z.string(), params: z.unknown().optional() })
export type ControlRequest = z.infer<typeof controlRequestSchema>
export const controlCancelSchema = z.object({ id: requestIdSchema, cancel: z.literal(true) })
export type ControlCancel = z.infer<typeof controlCancelSchema>
/** Only the id of a line that is not a request: so its error reply can name it. */
export const requestIdOnlySchema = z.object({ id: requestIdSchema })

/** A MielinError on the wire. */
export interface ControlErrorBody {
  code: string
  message: string
  suggestions: string[]
  exitCode: number
}

export type ControlReply =
  | { id: RequestId | null, result: unknown }
  | { id: RequestId | null, error: ControlErrorBody }
  | { id: RequestId, event: unknown }
  | { id: RequestId, end: true }

/** Rebuilds the MielinError a node sent, keeping its code, message, suggestions and exit code. */
export function errorFromBody (body: unknown): MielinError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Partial<Record<keyof ControlErrorBody, unknown>>
  return new MielinError(typeof b.message === 'string' ? b.message : 'The node reported an error without a message.', typeof b.code === 'string' ? b.code : undefined, {
    suggestions: Array.isArray(b.suggestions) ? b.suggestions.filter((s): s is string => typeof s === 'string') : [],
    exitCode: typeof b.exitCode === 'number' && Number.isInteger(b.exitCode) ? b.exitCode : undefined
  })
}

/** Cuts a byte stream into lines (without the "\n" or a trailing "\r"), refusing over-long ones. */
export class LineSplitter {
  #chunks: Buffer[] = []
  #size = 0

  constructor (readonly maxLineBytes = MAX_LINE_BYTES) {}

  /**
   * The complete lines in what arrived so far, and `tooLong` when a line grew past the
   * limit (the lines before it are still returned; nothing after it is).
   */
  push (chunk: Buffer): { lines: string[], tooLong: boolean } {
    const lines: string[] = []
    let rest = chunk
    for (let nl = rest.indexOf(10); nl !== -1; nl = rest.indexOf(10)) {
      if (this.#size + nl > this.maxLineBytes) return { lines, tooLong: true }
      this.#chunks.push(rest.subarray(0, nl))
      let line = Buffer.concat(this.#chunks).toString('utf8')
      if (line.endsWith('\r')) line = line.slice(0, -1)
      if (line.trim() !== '') lines.push(line)
      this.#chunks = []
      this.#size = 0
      rest = rest.subarray(nl + 1)
    }
    if (this.#size + rest.byteLength > this.maxLineBytes) return { lines, tooLong: true }
    if (rest.byteLength > 0) {
      this.#chunks.push(rest)
      this.#size += rest.byteLength
    }
    return { lines, tooLong: false }
  }
}
