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
