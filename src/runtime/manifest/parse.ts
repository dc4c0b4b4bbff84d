import { InvalidInputError } from '../errors.js'
import type { AgentManifest, PlacementSpec, ResourceLimitsSpec, RestartPolicy } from '../types/index.js'

export const DEFAULT_LIMITS: ResourceLimitsSpec = { memoryMb: 64, deadlineMs: 1000, mailbox: 1024 }
const NAME = /^[a-z][a-z0-9-]{0,62}$/
const CAP = /^(log|kv|tensor|send:(\*|[a-z][a-z0-9-]{0,62}))$/
/** The rule an agent name follows, in words (for error messages). */
export const AGENT_NAME_RULE = 'lower-case letters, digits and dashes, starting with a letter, at most 63 characters'
export const isAgentName = (name: string): boolean => NAME.test(name)
export const isCapabilityName = (cap: string): boolean => CAP.test(cap)
const RESTART = ['always', 'on-failure', 'never']

/** Validates and completes a manifest (defaults filled in); errors name the field. */
export function parseManifest (input: unknown, where = 'manifest'): AgentManifest {
  const bad = (field: string, why: string): never => {
    throw new InvalidInputError(`${where}: "${field}" ${why}.`, 'E_MANIFEST_INVALID', {
      suggestions: ['Fix mielin.json; see the README section "Agent manifest" for every field.']
    })
  }
  if (typeof input !== 'object' || input === null) bad('(root)', 'must be a JSON object')
  const m = input as Record<string, unknown>
  if (typeof m.name !== 'string' || !NAME.test(m.name)) bad('name', 'must be lower-case letters, digits and dashes, starting with a letter')
  if (typeof m.version !== 'string' || m.version === '') bad('version', 'must be a non-empty string such as "0.1.0"')
  const caps = m.capabilities ?? ['log']
  if (!Array.isArray(caps) || !caps.every((c) => typeof c === 'string' && CAP.test(c))) {
    bad('capabilities', 'must be a list of: log, kv, tensor, send:<agent-id>, send:*')
  }
  const limitsIn = (m.limits ?? {}) as Record<string, unknown>
  const limits = { ...DEFAULT_LIMITS }
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof ResourceLimitsSpec>) {
    const v = limitsIn[key]
    if (v === undefined) continue
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) bad(`limits.${key}`, 'must be a whole number ≥ 1')
    limits[key] = v as number
  }
  const restart = m.restart ?? 'on-failure'
  if (typeof restart !== 'string' || !RESTART.includes(restart)) bad('restart', `must be one of ${RESTART.join(', ')}`)
  const placement = (m.placement ?? {}) as PlacementSpec
  if (typeof placement !== 'object') bad('placement', 'must be an object')
  return {
    name: m.name as string,
    version: m.version as string,
    ...(typeof m.description === 'string' ? { description: m.description } : {}),
    capabilities: [...new Set(caps as string[])],
    limits,
    placement,
    restart: restart as RestartPolicy
  }
}
