import { InvalidArgumentError } from '../runtime/errors.js'
import type { NestedArray } from '../runtime/tensor/index.js'

/** Parses repeated `--input name=JSON` flags into a map of nested number arrays. */
export function parseInputFlags (flags: string[] = []): Record<string, NestedArray> {
  const out: Record<string, NestedArray> = {}
  for (const flag of flags) {
    const eq = flag.indexOf('=')
    const bad = (why: string): never => {
      throw new InvalidArgumentError(`--input "${flag}" ${why}.`, undefined, { suggestions: ['Write it as NAME=JSON, for example: --input x=[[1,2,3,4]]'] })
    }
    if (eq < 1) bad('has no NAME= before its value')
    let value: unknown
    try {
      value = JSON.parse(flag.slice(eq + 1))
    } catch {
      bad('is not valid JSON after the "="')
    }
    if (!isNested(value)) bad('must be a number or nested arrays of numbers')
    out[flag.slice(0, eq)] = value as NestedArray
  }
  return out
}

function isNested (v: unknown): boolean {
  return typeof v === 'number' || (Array.isArray(v) && v.every(isNested))
}
