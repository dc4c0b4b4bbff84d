import { AgentError, AgentHostError } from './agent.js'

/**
 * The host interfaces of the `mielin:agent` world as componentize-js presents them to
 * JavaScript (camelCase names; `result<T, string>` returns T or throws; `option<T>` is
 * T | undefined; u64 is bigint; list<f32> / list<u32> / list<u8> are typed arrays or arrays).
 * The generated entry passes the real modules in; tests pass stubs.
 */
export interface HostInterface {
  log: (level: string, message: string) => void
  selfId: () => string
  nowMs: () => bigint | number
  send: (to: string, payload: string, delegate: string[]) => string
  request: (to: string, payload: string) => string
}

export interface KvInterface {
  get: (key: string) => string | undefined
  set: (key: string, value: string) => void
  delete: (key: string) => void
  keys: (prefix: string) => string[]
}

export interface HostTensorData {
  data: ArrayLike<number>
  shape: ArrayLike<number>
}

export interface TensorInterface {
  create: (data: Float32Array, shape: Uint32Array) => number
  read: (t: number) => HostTensorData
  dispose: (t: number) => void
  binary: (op: string, a: number, b: number) => number
  unary: (op: string, a: number) => number
  reshape: (t: number, shape: Uint32Array) => number
  loadModel: (onnx: Uint8Array) => number
  runModel: (model: number, inputs: Array<[string, number]>) => Array<[string, number]>
}

/** The three host interfaces an agent imports. */
export interface HostImports {
  host: HostInterface
  kv: KvInterface
  tensor: TensorInterface
}

/** The text of whatever a host import threw (jco and componentize-js wrap it in `{ payload }`). */
export function hostErrorText (err: unknown): string {
  if (typeof err === 'string') return err
  if (typeof err === 'object' && err !== null) {
    const payload = (err as { payload?: unknown }).payload
    if (typeof payload === 'string') return payload
    const message = (err as { message?: unknown }).message
    if (typeof message === 'string') return message
  }
  return String(err)
}

/** Calls a host import; a failure becomes an AgentHostError with the host's code. */
export function callHost<T> (fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    throw new AgentHostError(hostErrorText(err))
  }
}

/**
 * The `err` string of an export. It must be a string: componentize-js turns a thrown string
 * into `err`, while a thrown Error traps the whole instance.
 */
export function errorString (err: unknown): string {
  if (err instanceof AgentError) return err.toString()
  if (typeof err === 'string') return /^E_[A-Z0-9_]+:/.test(err) ? err : `E_AGENT_ERROR: ${err}`
  if (err instanceof Error) return `E_AGENT_ERROR: ${err.name}: ${err.message}`
  let text: string
  try { text = JSON.stringify(err) ?? String(err) } catch { text = String(err) }
  return `E_AGENT_ERROR: ${text}`
}

// TextEncoder exists in the agent engine (StarlingMonkey) and in Node, but not in the
// ES lib that agents are type-checked against, hence the local declaration.
interface Utf8Codec {
  TextEncoder: new () => { encode: (text: string) => Uint8Array }
  TextDecoder: new () => { decode: (bytes: Uint8Array) => string }
}
const codec = globalThis as unknown as Utf8Codec

export const utf8 = {
  encode: (text: string): Uint8Array => new codec.TextEncoder().encode(text),
  decode: (bytes: Uint8Array): string => new codec.TextDecoder().decode(bytes)
}
