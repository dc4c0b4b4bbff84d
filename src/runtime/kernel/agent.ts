import type { Logger } from '../logger.js'
import type { NodeStore } from '../store/index.js'
import type { TensorEngine } from '../tensor/index.js'
import type { ComponentLoader, LoadedComponent } from '../wasm/index.js'
import type { CapabilitySpace } from './capabilities.js'
import { AgentNotFoundError } from './errors.js'
import type { Mailbox } from './mailbox.js'
import type { Namespace, NamespaceQuota } from './namespaces.js'
import type { AgentInfo, AgentManifest, AgentStatus, Envelope } from '../types/index.js'

/** The kernel's types: what it is built from, what it deploys, and what it tells about agents. */


export interface KernelComponents {
  loader: ComponentLoader
  /** Where records, checkpoints and kv state persist; in memory only without it. */
  store?: NodeStore
  /** The tensor engine agents use through the `tensor` capability; created on first use. */
  tensor?: () => Promise<TensorEngine>
  logger?: Logger
  /**
   * Where envelopes for ids this kernel does not host go (the mesh, or another kernel in
   * the same process); read when one is routed. Default: none, such a send is refused with
   * E_AGENT_NOT_FOUND.
   */
  router?: (e: Envelope) => void
}

export interface KernelInit {
  /** Worker threads; default: the CPUs this process may use. */
  workers?: number
  /** Messages handed to an agent at once; default 64. Larger batches amortize thread hops. */
  maxBatch?: number
  namespaces?: Record<string, NamespaceQuota>
  /** Restarts allowed per agent per minute before it is marked failed; default 5. */
  maxRestartsPerMinute?: number
}

export interface DeployInit {
  component: Uint8Array
  manifest: AgentManifest
  /** Default: the manifest's name. */
  id?: string
  /** Default: 'default'. */
  namespace?: string
  /** Capabilities granted; default: what the manifest asks for. */
  caps?: string[]
  /** State to restore (a checkpoint or a migration snapshot). */
  state?: Uint8Array
  /** Queued messages that come with a migration. */
  mailbox?: Envelope[]
  signal?: AbortSignal
}

/** What a migration carries: everything to bring the agent back elsewhere. */
export interface AgentSnapshot {
  id: string
  namespace: string
  manifest: AgentManifest
  hash: string
  caps: string[]
  state?: Uint8Array
  mailbox: Envelope[]
}

/** @internal The kernel's record of one agent. */
export interface Agent {
  id: string
  ns: Namespace
  manifest: AgentManifest
  component: LoadedComponent
  caps: CapabilitySpace
  mailbox: Mailbox
  status: AgentStatus
  worker: number
  checkpoint?: Uint8Array
  /** The last state this kernel handed to the store, and its write: an unchanged snapshot is not written again. */
  persisted?: { state: Uint8Array, written: Promise<void> }
  /** Batches handed to its worker and not back yet, oldest first. */
  inFlight: Flight[]
  /** Messages still to deliver one per call, after a batch that trapped or overran. */
  singleStep: number
  processed: number
  restarts: number[]
  /** Linear memory in use after its last batch. */
  memoryBytes: number
  /** Set while frozen for migration: resolves once the batches in flight are done. */
  idle?: () => void
  /** After a migration: where messages for this id go now. */
  forward?: (e: Envelope) => void
}

/**
 * Whether the agent may restart now under its policy (never, or at most `maxPerMinute` in the
 * last minute); if so, the restart is counted.
 */
export function claimRestart (agent: Agent, maxPerMinute: number, now = Date.now()): boolean {
  agent.restarts = agent.restarts.filter((t) => now - t < 60_000)
  if (agent.manifest.restart === 'never' || agent.restarts.length >= maxPerMinute) return false
  agent.restarts.push(now)
  return true
}

/** A batch handed to a worker. `recalled`: put back in the mailbox, whatever comes of it is ignored. */
export interface Flight { batch: Envelope[], recalled: boolean }

/** The agent this kernel hosts under `id` (not one that migrated away); E_AGENT_NOT_FOUND otherwise. */
export function hostedAgent (agents: ReadonlyMap<string, Agent>, id: string): Agent {
  const agent = agents.get(id)
  if (agent === undefined || agent.forward !== undefined) {
    throw new AgentNotFoundError(`No agent "${id}" on this node.`, undefined, { suggestions: ['List the agents with `mielin agent list`.'] })
  }
  return agent
}

/** What callers may see of an agent. */
export function agentInfo (a: Agent): AgentInfo {
  return {
    id: a.id, namespace: a.ns.name, name: a.manifest.name, version: a.manifest.version, status: a.status,
    worker: a.worker, queued: a.mailbox.size, processed: a.processed, restarts: a.restarts.length, memoryBytes: a.memoryBytes,
    caps: a.caps.names(), hash: a.component?.hash ?? ''
  }
}
