import type { Agent } from './agent.js'
import type { CapabilitySpace } from './capabilities.js'

/**
 * Delegation: an agent that holds `send:x` may pass it on with a message (the SDK's
 * `send(to, payload, { delegate: ['x'] })`). The sender's kernel checks that the sender holds
 * each one before the message leaves and names them on the envelope (`grants`); the kernel
 * of the receiver grants them when the envelope reaches its mailbox, so delegation works the
 * same whether the receiver runs on this node or another.
 *
 * Revocation: when the sender runs on the receiver's kernel, the grant is derived from the
 * sender's own capability, and revoking that revokes the grant too. A grant that came from
 * another node is a root capability here, because this kernel cannot see its parent: a
 * revocation on the sender's node does not reach it; only a revocation on the receiver's
 * node (`kernel.revoke(receiver, 'send:x')`) removes it. A kernel trusts its cluster peers'
 * kernels to have checked the sender (admission keeps other peers out of the cluster).
 *
 * The worker's imports are built when an agent starts: an agent that then held no send
 * capability at all has no working `send` import, so a grant reaches only agents that hold
 * at least one send capability of their own.
 */

const SEND = 'send:'

/** The grants for a message that delegates `targets`; E_CAP_DENIED unless the sender holds each. */
export function delegatedGrants (caps: CapabilitySpace, targets: readonly string[]): string[] | undefined {
  if (targets.length === 0) return undefined
  return targets.map((target) => {
    caps.require('send', target)
    return SEND + target
  })
}

/** Grants an arriving envelope's `grants` to its receiver; `sender`: the sending agent when it runs on this kernel. */
export function grantCarried (receiver: Agent, grants: readonly string[], sender: Agent | undefined): void {
  for (const name of grants) {
    const target = name.slice(SEND.length)
    if (sender === undefined) {
      receiver.caps.receive(target, undefined) // from another node: a root (see above)
      continue
    }
    // a local sender that no longer holds it (revoked since) delegates nothing
    const parent = sender.caps.find('send', target)
    if (parent !== undefined) receiver.caps.receive(target, parent)
  }
}
