import { InvalidInputError } from '../errors.js'

/**
 * An agent's manifest: who it is, what it may do, what it may use, where it may run.
 * It travels inside the built component (a custom section) and beside it as
 * `<name>.manifest.json`.
 */

/**
 * Capabilities an agent can ask for:
 * - `log`: write to the node's log (granted by default);
 * - `kv`: its private durable key-value state;
 * - `tensor`: the tensor host functions (and models);
 * - `send:<agent-id>`: send and request to that agent; `send:*` to any agent.
 */
export type CapabilityName = string

export interface ResourceLimitsSpec {
  /** Linear memory cap, MiB. Default 64. */
  memoryMb: number
  /** Deadline for handling one message, ms; a handler that runs longer is stopped. Default 1000. */
  deadlineMs: number
  /** Mailbox capacity, messages; senders get E_MAILBOX_FULL beyond it. Default 1024. */
  mailbox: number
}

export interface PlacementSpec {
  arch?: 'x86_64' | 'aarch64' | 'arm' | 'riscv64'
  /** A SIMD feature the node must have, e.g. 'avx2', 'avx512f', 'neon', 'sve'. */
  simd?: string
  gpu?: boolean
  /** Node labels that must match, e.g. { region: 'eu' }. */
  labels?: Record<string, string>
}

export type RestartPolicy = 'always' | 'on-failure' | 'never'

export interface AgentManifest {
  name: string
  version: string
  description?: string
  capabilities: CapabilityName[]
  limits: ResourceLimitsSpec
  placement: PlacementSpec
  restart: RestartPolicy
}

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
