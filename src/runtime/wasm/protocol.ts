import type { Envelope } from '../types/index.js'

/** Messages between the kernel (main thread) and a worker that hosts agents. */

export type ToWorker =
  | {
    op: 'load', req: number, agent: string, gluePath: string, caps: string[], memoryMb: number, state?: Uint8Array
    /** Sent once per worker and component (the worker keeps them): posting modules costs milliseconds. */
    modules?: Record<string, WebAssembly.Module>
  }
  | { op: 'deliver', req: number, agent: string, batch: Envelope[] }
  | { op: 'snapshot', req: number, agent: string }
  | { op: 'unload', req: number, agent: string }

/** One message's outcome: `ok` is the reply (null for none), `err` the agent's error text. */
export type MessageResult = { ok: string | null } | { err: string }

export type FromWorker =
  | { op: 'done', req: number, error?: string }
  | {
    op: 'delivered', req: number, results: MessageResult[], state?: Uint8Array, trap?: string, cpuMs: number, memoryBytes: number
    /** The trap came from a whole-batch call: which message caused it is unknown, so none has a result. */
    replay?: boolean
  }
  | { op: 'snapshot', req: number, state?: Uint8Array, error?: string }
  | { op: 'host', agent: string, fn: string, args: unknown[] }
  | { op: 'log', agent: string, level: string, message: string }

/** The answer to a host call, sent on the worker's reply port. */
export type HostReply = { ok: unknown } | { err: string }

/** Host functions that must answer synchronously through the main thread. */
export const HOST_CALLS = [
  'send', 'request',
  'kv.get', 'kv.set', 'kv.delete', 'kv.keys',
  'tensor.create', 'tensor.read', 'tensor.dispose', 'tensor.binary', 'tensor.unary', 'tensor.reshape', 'tensor.loadModel', 'tensor.runModel'
] as const
export type HostCallName = typeof HOST_CALLS[number]
