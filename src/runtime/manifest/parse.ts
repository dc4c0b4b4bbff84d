import type { z } from 'zod'
import { InvalidInputError } from '../errors.js'
import type { AgentManifest } from '../types/index.js'
import { CAP, manifestSchema, NAME } from './schema.js'

export { DEFAULT_LIMITS } from './schema.js'
/** The rule an agent name follows, in words (for error messages). */
export const AGENT_NAME_RULE = 'lower-case letters, digits and dashes, starting with a letter, at most 63 characters'
export const isAgentName = (name: string): boolean => NAME.test(name)
export const isCapabilityName = (cap: string): boolean => CAP.test(cap)

/** Validates and completes a manifest (defaults filled in); errors name the field. */
export function parseManifest (input: unknown, where = 'manifest'): AgentManifest {
  const result = manifestSchema.safeParse(input)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new InvalidInputError(`${where}: "${fieldOf(issue?.path ?? [])}" ${issue?.message ?? 'is not valid'}.`, 'E_MANIFEST_INVALID', {
      cause: result.error,
      suggestions: ['Fix mielin.json; see the README section "Agent manifest" for every field.']
    })
  }
  // Built field by field: `$schema` is for editors and does not travel with the agent.
  const { name, version, description, capabilities, limits, placement, restart } = result.data
  return { name, version, ...(description !== undefined ? { description } : {}), capabilities, limits, placement, restart }
}

/** `limits.memoryMb`, `capabilities[2]`; the root is `(root)`. */
function fieldOf (path: z.core.$ZodIssue['path']): string {
  if (path.length === 0) return '(root)'
  return path.map((key, i) => typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`).join('')
}
