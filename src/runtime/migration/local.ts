import type { Kernel } from '../kernel/index.js'
import { throwIfAborted } from '../errors.js'
import type { AgentInfo } from '../types/index.js'

/**
 * Live migration between two kernels in one process — the path the mesh will use across
 * machines: copy the module ahead, freeze after the current message, snapshot state and
 * queued mailbox, restore on the target, then forward whatever reached the source
 * meanwhile and later. No message is lost or duplicated, and per-sender order is kept
 * because the target enqueues the snapshot's queue before anything forwarded.
 */

export interface MigrationReport {
  agent: AgentInfo
  /** ms from freeze to the agent running on the target. */
  downtimeMs: number
  /** Messages that moved with the snapshot. */
  queued: number
  stateBytes: number
}

/**
 * Replies to requests the source accepted may be produced by the target: the target kernel's
 * `router` (a component it is built with) must send those, and envelopes for the source's
 * other agents, back to the source — `router: (e) => source.accept(e)` in one process.
 */
export async function migrateLocal (source: Kernel, target: Kernel, id: string, options: { signal?: AbortSignal } = {}): Promise<MigrationReport> {
  throwIfAborted(options.signal)
  const info = source.info(id)
  const component = source.component(info.hash)
  if (component === undefined) throw new Error(`the source kernel no longer holds the component of ${id}`)
  const started = performance.now()
  const snapshot = await source.freeze(id)
  let agent: AgentInfo
  try {
    agent = await target.deploy({
      component, manifest: snapshot.manifest, id, namespace: snapshot.namespace, caps: snapshot.caps,
      state: snapshot.state, mailbox: snapshot.mailbox
    })
  } catch (err) {
    // The target could not take it: put the queue back and carry on at the source.
    source.thaw(id, snapshot.mailbox)
    throw err
  }
  const downtimeMs = performance.now() - started
  await source.release(id, (e) => target.accept(e))
  return { agent, downtimeMs, queued: snapshot.mailbox.length, stateBytes: snapshot.state?.byteLength ?? 0 }
}
