/**
 * `mielin/agent`: the SDK for writing a mielin agent in TypeScript.
 *
 * An agent is a default-exported `defineAgent({...})`. `mielin agent build` bundles it with
 * this SDK into a WebAssembly component of the `mielin:agent` world: you never write WIT or
 * host bindings yourself.
 *
 * @example
 * ```ts
 * import { defineAgent } from 'mielin/agent'
 *
 * export default defineAgent({
 *   initialState: () => ({ count: 0 }),
 *   onMessage (msg, ctx) {
 *     ctx.state.count += msg.payload.n ?? 1
 *     return { count: ctx.state.count }   // the reply; return nothing for no reply
 *   }
 * })
 * ```
 *
 * Rules of the sandbox:
 * - Handlers are synchronous: every host call (send, kv, tensor) returns at once, so there
 *   is nothing to await. A handler that returns a Promise is an error.
 * - `ctx.state` must stay JSON-serialisable: it is saved when the node checkpoints or
 *   migrates the agent, and handed back to the next `initialState`-less start.
 * - Code at the top level of your module runs at build time (the engine is snapshotted),
 *   where no host exists: call `ctx` only inside `onStart` and `onMessage`.
 * - `console.log` (info, warn, error, debug) in a handler writes to the agent's log, as
 *   `ctx.log` does. Throw an `AgentError` to fail a message with a code the caller gets.
 *
 * This file declares the whole public API and imports nothing, so that its `.d.ts` can be
 * copied into agent projects as they are (`types/mielin-agent.d.ts`).
 */

/** The version of the `mielin:agent` world this SDK targets. */
export const SDK_VERSION = '0.1.0'

/** "message": no reply expected; "request": the return value is the reply; "reply": the answer to your own `ctx.request`. */
export type MessageKind = 'message' | 'request' | 'reply'

/** One message, as a handler sees it. */
export interface Message<P = any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- payloads are the agent author's JSON; `unknown` would make every `msg.payload.x` in an agent a type error
  /** Unique message id. */
  id: string
  /** The sender's agent id, or "cli:…" / "node:…" for messages from outside the mesh. */
  from: string
  kind: MessageKind
  /** Per-sender sequence number, from 1. */
  seq: number
  /** The payload, parsed from JSON (a string when it was not JSON). */
  payload: P
  /** For kind "reply": the id `ctx.request` returned for the request this answers. */
  replyTo?: string
  /** W3C traceparent, when the node traces. */
  trace?: string
}

/** Writes to the node's log (no capability needed). Non-string parts are JSON-encoded. */
export interface AgentLog {
  debug: (...parts: unknown[]) => void
  info: (...parts: unknown[]) => void
  warn: (...parts: unknown[]) => void
  error: (...parts: unknown[]) => void
}

declare global {
  /**
   * `console` in an agent writes to the agent's log, exactly like `ctx.log`: `console.log`
   * and `console.info` at level info, `warn`, `error` and `debug` at theirs. (Declared here
   * because agents are type-checked without the DOM's or Node.js's types.) Code at the top
   * level of a module runs at build time, where its console lines go to the build's output.
   */
  interface Console {
    log (...parts: unknown[]): void
    info (...parts: unknown[]): void
    warn (...parts: unknown[]): void
    error (...parts: unknown[]): void
    debug (...parts: unknown[]): void
  }
  var console: Console
}

/** What an agent's `console` does: the five methods that write to its log. */
export type AgentConsole = Pick<Console, 'log' | 'info' | 'warn' | 'error' | 'debug'>

export interface SendOptions {
  /**
   * Agent ids whose send capability you pass on to the receiver, on this node or another;
   * you must hold each (else the send fails with E_CAP_DENIED and nothing is sent). Default: none.
   */
  delegate?: string[]
}

/** Private durable key-value state (capability `kv`). Values are stored as JSON. */
export interface AgentKv {
  /** The value, or undefined when the key is absent. */
  get: <T = unknown>(key: string) => T | undefined
  set: (key: string, value: unknown) => void
  delete: (key: string) => void
  /** Keys that start with `prefix` (default: every key). */
  keys: (prefix?: string) => string[]
}

/** A tensor's values read back from the host, row-major. */
export interface TensorData {
  data: number[]
  shape: number[]
}

/** A handle to a float32 tensor that lives on the host. Every op returns a new tensor. */
export interface Tensor {
  readonly handle: number
  add: (other: Tensor) => Tensor
  sub: (other: Tensor) => Tensor
  mul: (other: Tensor) => Tensor
  div: (other: Tensor) => Tensor
  matmul: (other: Tensor) => Tensor
  relu: () => Tensor
  gelu: () => Tensor
  /** Along the last axis. */
  softmax: () => Tensor
  sum: () => Tensor
  mean: () => Tensor
  transpose: () => Tensor
  reshape: (shape: number[]) => Tensor
  read: () => TensorData
  /** Frees the host memory now (tensors made inside `tidy` are freed for you). */
  dispose: () => void
}

/** An ONNX model loaded on the host. */
export interface Model {
  readonly handle: number
  /** Runs the model on named inputs; returns its named outputs. */
  run: (inputs: Record<string, Tensor>) => Record<string, Tensor>
}

/** Numbers, flat or nested (nested arrays give their own shape). */
export type TensorInput = ArrayLike<number> | number[][] | number[][][] | number[][][][]

/** The tensor host functions (capability `tensor`). */
export interface AgentTensors {
  /** A tensor from numbers; `shape` defaults to the nesting of `data` (or [length] when flat). */
  fromArray: (data: TensorInput, shape?: number[]) => Tensor
  /** Loads an ONNX model from its bytes (for example `import model from './model.onnx'`). */
  loadModel: (onnx: Uint8Array) => Model
  runModel: (model: Model, inputs: Record<string, Tensor>) => Record<string, Tensor>
  /** Runs `fn`; every tensor made inside is disposed afterwards, except the ones it returns. */
  tidy: <T>(fn: () => T) => T
}

/** What a handler gets besides the message. */
export interface AgentContext<S = Record<string, unknown>> {
  /** This agent's state: mutate it or replace it. Saved across restarts and migrations. */
  state: S
  /** This agent's id. */
  readonly self: string
  readonly log: AgentLog
  /** Milliseconds since the Unix epoch, from the host's clock. */
  now: () => number
  /** Sends a one-way message (capability `send:<to>` or `send:*`); returns its id. */
  send: (to: string, payload: unknown, options?: SendOptions) => string
  /**
   * Sends a request; returns its id. The reply arrives later as a message of kind "reply"
   * whose `replyTo` is that id.
   */
  request: (to: string, payload: unknown) => string
  readonly kv: AgentKv
  readonly tensor: AgentTensors
}

/** What you give `defineAgent`. */
export interface AgentDefinition<S = Record<string, unknown>, P = any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- as Message
  /** The state of a fresh agent (not called when the agent resumes from saved state). Default: {}. */
  initialState?: () => S
  /** Called once after the agent starts (fresh or resumed), before any message. */
  onStart?: (ctx: AgentContext<S>) => void
  /**
   * Handles one message. The return value is the reply to a request, as JSON; return
   * nothing (undefined) for no reply. Throw to fail the message: an `AgentError` keeps
   * its code, anything else becomes E_AGENT_ERROR.
   */
  onMessage: (msg: Message<P>, ctx: AgentContext<S>) => unknown
}

/** An agent, as `defineAgent` returns it; export it as the module's default. */
export interface Agent<S = Record<string, unknown>, P = any> extends AgentDefinition<S, P> { // eslint-disable-line @typescript-eslint/no-explicit-any -- as Message
  readonly sdkVersion: string
}

/** Declares an agent. The build step turns its default export into the world's exports. */
export function defineAgent<S = Record<string, unknown>, P = any> (definition: AgentDefinition<S, P>): Agent<S, P> { // eslint-disable-line @typescript-eslint/no-explicit-any -- as Message
  return { ...definition, sdkVersion: SDK_VERSION }
}

const CODE = /^(E_[A-Z0-9_]+):\s*/

/**
 * An error with a stable code. Throw one from a handler to fail a message with that code:
 * the caller gets it as the error's code (`new AgentError('E_OUT_OF_STOCK', 'only 2 left')`).
 * A code is E_ then upper-case letters, digits and _, at most 64 characters; with any
 * other, the caller gets E_AGENT_ERROR.
 */
export class AgentError extends Error {
  readonly code: string

  constructor (code: string, message: string) {
    super(message)
    this.name = 'AgentError'
    this.code = code
  }

  /** The error string the host receives: "E_CODE: message". */
  override toString (): string {
    return this.message.startsWith(`${this.code}:`) ? this.message : `${this.code}: ${this.message}`
  }
}

/**
 * A host function refused or failed, e.g. `code` "E_CAP_DENIED" when the agent lacks a
 * capability. `message` is the host's whole error text.
 */
export class AgentHostError extends AgentError {
  constructor (hostMessage: string) {
    const match = CODE.exec(hostMessage)
    super(match?.[1] ?? 'E_HOST', hostMessage)
    this.name = 'AgentHostError'
  }
}
