/**
 * A tiny, hand-written schema checker for wire frames. Each schema's `parse` returns a typed
 * value built only from the fields it knows (unknown object keys are dropped, so newer peers
 * may add fields) or throws a `BadFrameError` naming the bad field:
 *
 * ```ts
 * const Hello = schema.object({ id: schema.string({ max: 128 }), n: schema.optional(schema.integer({ min: 0 })) })
 * type Hello = Infer<typeof Hello>   // { id: string, n?: number }
 * Hello.parse(JSON.parse(text))      // or throws E_BAD_FRAME "frame.id: expected a string …"
 * ```
 */
import { BadFrameError } from '../errors.js'

export interface Schema<T> {
  /** Checks `value` and returns it typed; `path` names it in errors (default `frame`). */
  parse: (value: unknown, path?: string) => T
}

/** A schema whose key may be missing from an object. */
export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true
}

export type Infer<S> = S extends Schema<infer T> ? T : never

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }
/** A frame: one JSON object. */
export type Frame = Record<string, unknown>

type Shape = Record<string, Schema<unknown>>
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S]
type Flatten<T> = { [K in keyof T]: T[K] } & {}
export type ObjectOf<S extends Shape> = Flatten<
{ [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> }
>

const describe = (value: unknown): string => {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `a string of ${value.length} characters`
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects are named, not shown: String() only sees a primitive
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value).slice(0, 32)}`
}

const fail = (path: string, expected: string, value: unknown): never => {
  throw new BadFrameError(`${path}: expected ${expected}, got ${describe(value)}.`, path)
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

// keys that would change an object's prototype if a consumer ever copied the value with Object.assign
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

export interface StringOptions {
  /** Fewest characters. @default 0 */
  min?: number
  /** Most characters. @default no limit but the frame size */
  max?: number
  pattern?: RegExp
}

export interface NumberOptions {
  min?: number
  max?: number
}

export interface ArrayOptions {
  /** Fewest items. @default 0 */
  min?: number
  /** Most items. @default 10000 */
  max?: number
}

export interface RecordOptions {
  /** Most keys. @default 1000 */
  maxKeys?: number
  /** Longest key. @default 256 */
  maxKeyLength?: number
}

export interface JsonOptions {
  /** Deepest nesting. @default 32 */
  maxDepth?: number
}

function string (opts: StringOptions = {}): Schema<string> {
  const { min = 0, max = Infinity, pattern } = opts
  const expected = `a string${max < Infinity ? ` of at most ${max} characters` : ''}${min > 0 ? ` (at least ${min})` : ''}${pattern !== undefined ? ` matching ${String(pattern)}` : ''}`
  return {
    parse (value, path = 'frame') {
      if (typeof value !== 'string' || value.length < min || value.length > max) return fail(path, expected, value)
      if (pattern !== undefined && !pattern.test(value)) return fail(path, expected, value)
      return value
    }
  }
}

function number (opts: NumberOptions = {}): Schema<number> {
  const { min = -Infinity, max = Infinity } = opts
  return {
    parse (value, path = 'frame') {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) return fail(path, `a number in [${min}, ${max}]`, value)
      return value
    }
  }
}

function integer (opts: NumberOptions = {}): Schema<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = opts
  return {
    parse (value, path = 'frame') {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) return fail(path, `an integer in [${min}, ${max}]`, value)
      return value
    }
  }
}

function boolean (): Schema<boolean> {
  return { parse: (value, path = 'frame') => typeof value === 'boolean' ? value : fail(path, 'a boolean', value) }
}

function literal<const T extends string | number | boolean | null> (expected: T): Schema<T> {
  return { parse: (value, path = 'frame') => value === expected ? expected : fail(path, JSON.stringify(expected), value) }
}

function oneOf<const T extends string> (values: readonly T[]): Schema<T> {
  const set = new Set<unknown>(values)
  return { parse: (value, path = 'frame') => set.has(value) ? value as T : fail(path, `one of ${values.join(', ')}`, value) }
}

function optional<T> (inner: Schema<T>): OptionalSchema<T> {
  return { optional: true, parse: (value, path = 'frame') => value === undefined ? undefined : inner.parse(value, path) }
}

function nullable<T> (inner: Schema<T>): Schema<T | null> {
  return { parse: (value, path = 'frame') => value === null ? null : inner.parse(value, path) }
}

function array<T> (item: Schema<T>, opts: ArrayOptions = {}): Schema<T[]> {
  const { min = 0, max = 10_000 } = opts
  return {
    parse (value, path = 'frame') {
      if (!Array.isArray(value) || value.length < min || value.length > max) return fail(path, `an array of ${min}..${max} items`, value)
      return value.map((v, i) => item.parse(v, `${path}[${i}]`))
    }
  }
}

function object<S extends Shape> (shape: S): Schema<ObjectOf<S>> {
  const entries = Object.entries(shape)
  return {
    parse (value, path = 'frame') {
      if (!isPlainObject(value)) return fail(path, 'an object', value)
      const out: Record<string, unknown> = {}
      for (const [key, s] of entries) {
        const v = s.parse(value[key], `${path}.${key}`)
        if (v !== undefined) out[key] = v
      }
      return out as ObjectOf<S>
    }
  }
}

function record<T> (valueSchema: Schema<T>, opts: RecordOptions = {}): Schema<Record<string, T>> {
  const { maxKeys = 1000, maxKeyLength = 256 } = opts
  return {
    parse (value, path = 'frame') {
      if (!isPlainObject(value)) return fail(path, 'an object', value)
      const keys = Object.keys(value)
      if (keys.length > maxKeys) return fail(path, `an object of at most ${maxKeys} keys`, value)
      const out: Record<string, T> = {}
      for (const key of keys) {
        if (key.length > maxKeyLength || FORBIDDEN_KEYS.has(key)) return fail(`${path}.${key.slice(0, 64)}`, `a key of at most ${maxKeyLength} characters, not __proto__/constructor/prototype`, key)
        out[key] = valueSchema.parse(value[key], `${path}.${key}`)
      }
      return out
    }
  }
}

/** Any JSON value (for payloads the mesh only carries), bounded in depth, without prototype keys. */
function json (opts: JsonOptions = {}): Schema<JsonValue> {
  const { maxDepth = 32 } = opts
  const check = (value: unknown, path: string, depth: number): void => {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return
    if (typeof value === 'number') { if (!Number.isFinite(value)) fail(path, 'a finite number', value); return }
    if (depth >= maxDepth) fail(path, `JSON nested at most ${maxDepth} deep`, value)
    if (Array.isArray(value)) { for (let i = 0; i < value.length; i++) check(value[i], `${path}[${i}]`, depth + 1); return }
    if (!isPlainObject(value)) { fail(path, 'a JSON value', value); return }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) fail(`${path}.${key}`, 'no __proto__/constructor/prototype keys', key)
      check(value[key], `${path}.${key}`, depth + 1)
    }
  }
  return { parse: (value, path = 'frame') => { check(value, path, 0); return value as JsonValue } }
}

/** Any JSON object: the default schema of a frame whose shape the mesh does not know. */
function frame (opts: JsonOptions = {}): Schema<Frame> {
  const inner = json(opts)
  return {
    parse (value, path = 'frame') {
      if (!isPlainObject(value)) return fail(path, 'an object', value)
      return inner.parse(value, path) as Frame
    }
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Bytes carried as a base64 string of at most `maxBytes` decoded bytes. */
function base64 (opts: { maxBytes?: number } = {}): Schema<string> {
  const maxChars = Math.ceil((opts.maxBytes ?? 512 * 1024) / 3) * 4
  return {
    parse (value, path = 'frame') {
      if (typeof value !== 'string' || value.length > maxChars || value.length % 4 !== 0 || !BASE64.test(value)) return fail(path, `base64 of at most ${maxChars} characters`, value)
      return value
    }
  }
}

/** A tagged union: `key` picks which object schema checks the rest. */
function variant<K extends string, M extends Record<string, Schema<Frame>>> (key: K, schemas: M): Schema<Infer<M[keyof M]>> {
  const names = Object.keys(schemas)
  return {
    parse (value, path = 'frame') {
      if (!isPlainObject(value)) return fail(path, 'an object', value)
      const tag = value[key]
      if (typeof tag !== 'string' || !Object.hasOwn(schemas, tag)) return fail(`${path}.${key}`, `one of ${names.join(', ')}`, tag)
      const out = schemas[tag].parse(value, path)
      return { ...out, [key]: tag } as Infer<M[keyof M]>
    }
  }
}

export const schema = { string, number, integer, boolean, literal, oneOf, optional, nullable, array, object, record, json, frame, base64, variant }
