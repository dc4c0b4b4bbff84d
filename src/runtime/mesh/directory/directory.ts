import { MielinError, ExitCode } from '../../errors.js'

/**
 * Where each agent runs: agent id → (node, epoch). Writes are compare-and-set on the epoch,
 * so a stale owner (an old epoch) can never overwrite a newer placement — the fence that
 * migration and failover need.
 *
 * The implementation here serves a healthy cluster (DHT records plus gossip, see
 * DhtDirectory). It is not linearizable: two writers racing on the same epoch can both
 * believe they won until the DHT converges. Failover will need a consensus store (Raft over
 * libp2p streams) behind this same interface.
 */
export interface DirectoryEntry {
  agent: string
  /** Peer id of the node that runs it. */
  node: string
  epoch: number
  /** ms since the epoch, when the owner wrote it. */
  ts: number
}

export interface Directory {
  get: (agent: string, options?: { signal?: AbortSignal }) => Promise<DirectoryEntry | undefined>
  /** Sets the entry iff the current epoch is `expectedEpoch` (undefined: no entry yet). */
  compareAndSet: (agent: string, expectedEpoch: number | undefined, next: Omit<DirectoryEntry, 'agent' | 'ts'>, options?: { signal?: AbortSignal }) => Promise<DirectoryEntry>
  /** Entries this node knows without asking anyone (its cache). */
  known: () => DirectoryEntry[]
}

export class EpochConflictError extends MielinError {
  static override readonly defaultCode: string = 'E_EPOCH_CONFLICT'
  static override readonly defaultExitCode: number = ExitCode.failure
}

/** The newer of two entries: higher epoch, then later write. */
export function newer (a: DirectoryEntry | undefined, b: DirectoryEntry | undefined): DirectoryEntry | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  if (a.epoch !== b.epoch) return a.epoch > b.epoch ? a : b
  return a.ts >= b.ts ? a : b
}
