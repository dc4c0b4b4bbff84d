import { Flags } from '@oclif/core'
import { parseEngineName, ENGINE_NAMES, type EngineName } from '../runtime/tensor/index.js'
import { InvalidArgumentError } from '../runtime/errors.js'

/** Flags shared by several commands, with their validation in one place. */

/** --engine; checked in run() with `engineOf` so a wrong name gets mielin's own error (oclif would rewrite it). */
export const engineFlag = Flags.custom<string>({
  description: `Tensor engine to use instead of the best one (${ENGINE_NAMES.join(', ')}).`,
  helpValue: 'ENGINE'
})

export const engineOf = (value: string | undefined): EngineName | undefined => value === undefined ? undefined : parseEngineName(value)

/** A positive integer, e.g. a matrix size; a wrong value says what was wrong. */
export function positiveInt (name: string, input: string, max = 1 << 16): number {
  const n = Number(input)
  if (!/^\s*\d+\s*$/.test(input) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new InvalidArgumentError(`--${name} must be a whole number from 1 to ${max}, got "${input}".`, undefined, {
      suggestions: [`For example: --${name} 512`]
    })
  }
  return n
}
