import { parseManifest } from '../../src/runtime/manifest/parse.js'
import { CapabilitySpace, Mailbox, Namespace } from '../../src/runtime/kernel/index.js'
import type { Agent } from '../../src/runtime/kernel/agent.js'
import type { AgentManifest, Envelope, EnvelopeKind } from '../../src/runtime/types/index.js'

/**
 * A kernel's record of one agent, made by hand from real parts (namespace, mailbox,
 * capability space), for testing one part of the kernel without worker threads.
 */
export function agentRecord (id: string, manifest: Partial<AgentManifest> = {}, caps: string[] = ['log']): Agent {
  const full = parseManifest({ name: id, version: '0.1.0', ...manifest })
  return {
    id, ns: new Namespace('default'), manifest: full, caps: CapabilitySpace.of(id, caps), status: 'running', worker: 0,
    inFlight: [], singleStep: 0, processed: 0, restarts: [], memoryBytes: 0,
    component: { hash: 'h', gluePath: '/nowhere' } as Agent['component'],
    mailbox: new Mailbox(full.limits.mailbox, id)
  }
}

let n = 0
/** An envelope as a kernel would make it. */
export const envelope = (to: string, kind: EnvelopeKind = 'request', extra: Partial<Envelope> = {}): Envelope =>
  ({ id: `m${++n}`, from: 'cli:test', to, seq: BigInt(n), kind, payload: '{}', ...extra })
