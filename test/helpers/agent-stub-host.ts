// A stand-in for a node's host imports, to run an agent without a kernel: in-memory kv,
// plain-JavaScript 2-D tensors, an outbox for send/request, and capability checks that fail
// the way the real host does (a thrown `{ payload: "E_CAP_DENIED: …" }`). It runs an agent
// either as esbuild's bundle (in Node, fast) or as the built component (through jco).
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { HostImports } from '../../src/sdk/host.js'

export interface StubTensor { data: Float32Array, shape: number[] }
export interface Sent { kind: 'message' | 'request', id: string, to: string, payload: unknown, delegate?: string[] }

export interface StubHost {
  imports: HostImports
  logs: Array<[string, string]>
  outbox: Sent[]
  store: Map<string, string>
  tensors: Map<number, StubTensor>
  models: Map<number, Uint8Array>
}

export interface StubHostOptions {
  self?: string
  /** Default: every capability. */
  capabilities?: string[]
  /** Answers runModel: output tensors from input tensors. Default: echoes the inputs. */
  runModel?: (inputs: Record<string, StubTensor>) => Record<string, StubTensor>
}

const denied = (what: string): never => {
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  throw { payload: `E_CAP_DENIED: this agent holds no "${what}" capability` }
}

export function stubHost (options: StubHostOptions = {}): StubHost {
  const caps = options.capabilities ?? ['log', 'kv', 'tensor', 'send:*']
  const can = (cap: string): void => { if (!caps.includes(cap)) denied(cap) }
  const canSend = (to: string): void => { if (!caps.includes('send:*') && !caps.includes(`send:${to}`)) denied(`send:${to}`) }
  const logs: Array<[string, string]> = []
  const outbox: Sent[] = []
  const store = new Map<string, string>()
  const tensors = new Map<number, StubTensor>()
  const models = new Map<number, Uint8Array>()
  let next = 1
  const put = (t: StubTensor): number => { tensors.set(next, t); return next++ }
  const get = (h: number): StubTensor => tensors.get(h) ?? (() => { throw { payload: `E_TENSOR_HANDLE: no tensor ${h}` } })() // eslint-disable-line @typescript-eslint/only-throw-error

  const host = {
    log: (level: string, message: string) => { logs.push([level, message]) },
    selfId: () => options.self ?? 'agent-1',
    nowMs: () => 1_700_000_000_000n,
    send: (to: string, payload: string, delegate: string[]) => { canSend(to); const id = `m${outbox.length + 1}`; outbox.push({ kind: 'message', id, to, payload: JSON.parse(payload), delegate: [...delegate] }); return id },
    request: (to: string, payload: string) => { canSend(to); const id = `r${outbox.length + 1}`; outbox.push({ kind: 'request', id, to, payload: JSON.parse(payload) }); return id }
  }
  const kv = {
    get: (k: string) => { can('kv'); return store.get(k) },
    set: (k: string, v: string) => { can('kv'); store.set(k, v) },
    delete: (k: string) => { can('kv'); store.delete(k) },
    keys: (prefix: string) => { can('kv'); return [...store.keys()].filter((k) => k.startsWith(prefix)) }
  }
  const tensor = {
    create: (data: ArrayLike<number>, shape: ArrayLike<number>) => { can('tensor'); return put({ data: Float32Array.from(data), shape: Array.from(shape) }) },
    read: (h: number) => { can('tensor'); const t = get(h); return { data: t.data, shape: Uint32Array.from(t.shape) } },
    dispose: (h: number) => { tensors.delete(h) },
    binary: (op: string, a: number, b: number) => { can('tensor'); return put(binaryOp(op, get(a), get(b))) },
    unary: (op: string, a: number) => { can('tensor'); return put(unaryOp(op, get(a))) },
    reshape: (h: number, shape: ArrayLike<number>) => { can('tensor'); return put({ data: get(h).data, shape: Array.from(shape) }) },
    loadModel: (bytes: Uint8Array) => { can('tensor'); models.set(next, Uint8Array.from(bytes)); return next++ },
    runModel: (m: number, inputs: Array<[string, number]>) => {
      can('tensor')
      if (!models.has(m)) throw { payload: `E_MODEL_HANDLE: no model ${m}` } // eslint-disable-line @typescript-eslint/only-throw-error
      const named = Object.fromEntries(inputs.map(([n, h]) => [n, get(h)]))
      return Object.entries(options.runModel?.(named) ?? named).map(([n, t]): [string, number] => [n, put(t)])
    }
  }
  return { imports: { host, kv, tensor }, logs, outbox, store, tensors, models }
}

/** 2-D float ops; `add`-style ops broadcast a [1, n] or [n] operand over rows. */
function binaryOp (op: string, a: StubTensor, b: StubTensor): StubTensor {
  if (op === 'matmul') {
    const [n = 0, k = 0] = a.shape
    const m = b.shape[1] ?? 0
    const out = new Float32Array(n * m)
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let x = 0; x < k; x++) out[i * m + j] += a.data[i * k + x] * b.data[x * m + j]
    return { data: out, shape: [n, m] }
  }
  const f = ({ add: (x: number, y: number) => x + y, sub: (x: number, y: number) => x - y, mul: (x: number, y: number) => x * y, div: (x: number, y: number) => x / y } as Record<string, (x: number, y: number) => number>)[op]
  if (f === undefined) throw { payload: `E_TENSOR_OP: unknown op "${op}"` } // eslint-disable-line @typescript-eslint/only-throw-error
  return { data: a.data.map((v, i) => f(v, b.data[i % b.data.length])), shape: a.shape }
}

function unaryOp (op: string, a: StubTensor): StubTensor {
  const cols = a.shape.at(-1) ?? 1
  switch (op) {
    case 'relu': return { data: a.data.map((v) => Math.max(0, v)), shape: a.shape }
    case 'gelu': return { data: a.data.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))), shape: a.shape }
    case 'sum': return { data: Float32Array.of(a.data.reduce((s, v) => s + v, 0)), shape: [] }
    case 'mean': return { data: Float32Array.of(a.data.reduce((s, v) => s + v, 0) / a.data.length), shape: [] }
    case 'transpose': {
      const [r = 1, c = 1] = a.shape
      return { data: Float32Array.from({ length: r * c }, (_, i) => a.data[(i % r) * c + Math.floor(i / r)]), shape: [c, r] }
    }
    case 'softmax': {
      const out = new Float32Array(a.data.length)
      for (let row = 0; row < a.data.length; row += cols) {
        const slice = a.data.subarray(row, row + cols)
        const max = Math.max(...slice)
        const e = Array.from(slice, (v) => Math.exp(v - max))
        const z = e.reduce((s, v) => s + v, 0)
        e.forEach((v, i) => { out[row + i] = v / z })
      }
      return { data: out, shape: a.shape }
    }
    default: throw { payload: `E_TENSOR_OP: unknown op "${op}"` } // eslint-disable-line @typescript-eslint/only-throw-error
  }
}

/** The world's exports, whichever way the agent was loaded. */
export interface AgentExports {
  init: (state?: Uint8Array) => void
  onMessage: (envelope: StubEnvelope) => string | undefined
  onMigrate: () => Uint8Array
}

/** `mielin:agent/types.envelope` as jco passes it. */
export interface StubEnvelope { id: string, from: string, to: string, seq: bigint, kind: string, payload: string, replyTo?: string, trace?: string }

let seq = 0n
/** An envelope as the host passes it: a request from the CLI unless `extra` says otherwise. */
export function envelope (payload: unknown, extra: Partial<StubEnvelope> = {}): StubEnvelope {
  seq += 1n
  return { id: `msg-${seq}`, from: 'cli:test', to: 'agent-1', seq, kind: 'request', payload: JSON.stringify(payload), replyTo: undefined, trace: undefined, ...extra }
}

/** Runs an esbuild bundle of an agent in Node, its `mielin:agent/*` imports bound to `host`. */
export async function loadBundle (bundle: string, host: StubHost): Promise<AgentExports> {
  const key = `__mielinStub${Math.random().toString(36).slice(2)}`
  ;(globalThis as Record<string, unknown>)[key] = host.imports
  const source = bundle.replace(/import \* as (\w+) from "mielin:agent\/(host|kv|tensor)@0\.1\.0";/g, `const $1 = globalThis.${key}.$2;`)
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mielin-bundle-'))
  try {
    const file = path.join(dir, 'agent.mjs')
    await writeFile(file, source)
    return await import(pathToFileURL(file).href) as AgentExports
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Runs a built component through jco, as a node's loader does, its imports bound to `host`. */
export async function loadComponent (component: Uint8Array, host: StubHost): Promise<AgentExports> {
  const { transpile } = await import('@bytecodealliance/jco')
  const out = await transpile(component, { name: 'agent', instantiation: 'sync', noTypescript: true })
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mielin-component-'))
  try {
    const file = path.join(dir, 'agent.mjs')
    await writeFile(file, out.files['agent.js'])
    const { instantiate } = await import(pathToFileURL(file).href) as { instantiate: (get: (n: string) => WebAssembly.Module, imports: Record<string, unknown>) => AgentExports }
    const modules = new Map(Object.entries(out.files).filter(([n]) => n.endsWith('.wasm')).map(([n, b]) => [n, new WebAssembly.Module(b)]))
    return instantiate((n) => modules.get(n) as WebAssembly.Module, {
      'mielin:agent/host': host.imports.host, 'mielin:agent/kv': host.imports.kv, 'mielin:agent/tensor': host.imports.tensor
    })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The error text an export failed with (componentize-js/jco wrap it in `{ payload }`), or undefined. */
export function failure (fn: () => unknown): string | undefined {
  try {
    fn()
    return undefined
  } catch (err) {
    const payload = (err as { payload?: unknown }).payload
    return typeof payload === 'string' ? payload : typeof err === 'string' ? err : String(err)
  }
}
