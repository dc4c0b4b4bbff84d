import { createHash } from 'node:crypto'
import type { Kernel } from '../kernel/index.js'
import type { DhtDirectory, Member, Membership, Mesh } from '../mesh/index.js'
import { UnavailableError } from '../errors.js'
import { gossipedAgents } from './agent-gossip.js'
import { AgentExistsError } from './errors.js'
import { NODE_PROTOCOL } from './frames.js'

/**
 * One owner per agent id. Before a node runs an agent under an id, it claims the id from the
 * id's arbiter: the live member ranked first for that id by rendezvous hashing, so every node
 * with the same view of the members asks the same one. The arbiter decides claims of an id one
 * at a time, from what it can check: a claim in progress, or a directory entry whose node still
 * runs the agent (asked, not assumed from a cache that a stop does not reach).
 *
 * Not linearizable across a membership change (two views can name two arbiters for a moment);
 * failover will put a consensus store behind the same claim. Said in ARCHITECTURE.md.
 */

export interface IdArbiterComponents {
  mesh: Pick<Mesh, 'peerId' | 'request'>
  membership: Pick<Membership, 'members'>
  directory: Pick<DhtDirectory, 'get' | 'forget' | 'learn'>
  kernel: Pick<Kernel, 'has'>
}

export interface ClaimRequest {
  id: string
  /** The node that will run the agent (peer id). */
  node: string
  /** Take over an id that is already owned (`agent deploy --replace`). */
  replace?: boolean
}

/** What a granted claim says: the epoch to write, the owner it replaces, and who granted it (to settle with). */
export interface Grant {
  epoch: number
  previous?: { node: string, nodeName: string, epoch: number, state: string, namespace?: string }
  arbiter?: string
}

/** How long a granted claim holds the id while its node deploys (a node that dies mid-deploy frees it then). */
export const CLAIM_HOLD_MS = 120_000

/** The member that decides claims of `id`: the highest hash of (id, peer id) among the live ones. */
export function arbiterOf (id: string, members: ReadonlyArray<Pick<Member, 'peerId' | 'state'>>): string {
  let best: { peerId: string, score: string } | undefined
  for (const m of members) {
    if (m.state !== 'alive') continue
    const score = createHash('sha256').update(`${id}\n${m.peerId}`).digest('hex')
    if (best === undefined || score > best.score) best = { peerId: m.peerId, score }
  }
  if (best === undefined) {
    throw new UnavailableError('No live member of the cluster can decide who owns an agent id (this node is not running yet, or is stopping).', 'E_NO_ARBITER', {
      suggestions: ['Wait for the node to start (mielin mesh status), then retry.']
    })
  }
  return best.peerId
}

export class IdArbiter {
  readonly #c: IdArbiterComponents
  readonly #self: string
  /** Claims granted and not yet settled, by id. */
  readonly #held = new Map<string, { node: string, epoch: number, until: number }>()
  /** The claims of one id are decided one at a time. */
  readonly #queues = new Map<string, Promise<unknown>>()

  constructor (components: IdArbiterComponents) {
    this.#c = components
    this.#self = components.mesh.peerId.toString()
  }

  /** Claims `id` for this node from its arbiter (here or on another node). */
  async claim (id: string, replace: boolean, signal?: AbortSignal): Promise<Grant> {
    const arbiter = arbiterOf(id, this.#c.membership.members())
    const req: ClaimRequest = { id, node: this.#self, replace }
    const grant = arbiter === this.#self ? await this.decide(req, signal) : await this.#c.mesh.request<Grant>(arbiter, NODE_PROTOCOL, { op: 'claim', ...req }, { signal, timeoutMs: 30_000 })
    return { ...grant, arbiter }
  }

  /** Tells the arbiter that granted the claim how the deploy ended: the id is now owned, or free again. */
  async settle (id: string, grant: Grant, ok: boolean): Promise<void> {
    const { epoch } = grant
    const arbiter = grant.arbiter ?? arbiterOf(id, this.#c.membership.members())
    if (arbiter === this.#self) this.settled(id, this.#self, epoch, ok)
    else await this.#c.mesh.request(arbiter, NODE_PROTOCOL, { op: 'settle', id, node: this.#self, epoch, ok }, { timeoutMs: 10_000 })
  }

  /** As the arbiter: grants the claim, or refuses it with E_AGENT_EXISTS naming the owner. */
  async decide (req: ClaimRequest, signal?: AbortSignal): Promise<Grant> {
    const before = this.#queues.get(req.id) ?? Promise.resolve()
    const decided = before.catch(() => undefined).then(async () => await this.#decideNow(req, signal))
    this.#queues.set(req.id, decided)
    try {
      return await decided
    } finally {
      if (this.#queues.get(req.id) === decided) this.#queues.delete(req.id)
    }
  }

  /** As the arbiter: the claimant's deploy ended. */
  settled (id: string, node: string, epoch: number, ok: boolean): void {
    const held = this.#held.get(id)
    if (held?.node !== node || held.epoch !== epoch) return
    this.#held.delete(id)
    if (ok) this.#c.directory.learn({ agent: id, node, epoch, ts: Date.now() })
  }

  async #decideNow (req: ClaimRequest, signal?: AbortSignal): Promise<Grant> {
    const held = this.#held.get(req.id)
    if (held !== undefined && held.until > Date.now()) {
      throw new AgentExistsError(`Agent "${req.id}" is being deployed on node ${this.#nameOf(held.node)} right now.`, undefined, {
        suggestions: ['Wait for that deploy, then see where it runs with `mielin agent list`.']
      })
    }
    const { owner, lastEpoch } = await this.#owner(req.id, signal)
    if (owner !== undefined && req.replace !== true) {
      const up = owner.state === 'alive' || owner.state === 'suspect'
      throw new AgentExistsError(up
        ? `Agent "${req.id}" already runs on node ${owner.nodeName} (${owner.state}, epoch ${owner.epoch}).`
        : `Agent "${req.id}" belongs to node ${owner.nodeName}, which ${owner.state === 'left' ? 'left' : owner.state === 'dead' ? 'died' : 'is gone'}: it is unavailable, not free (epoch ${owner.epoch}).`, undefined, {
        suggestions: up
          ? [`Replace its code and keep its state: mielin agent deploy FILE --replace (the new one runs on node ${owner.nodeName}).`,
              `Or stop it first (mielin agent stop ${req.id}), or deploy under another id (--name).`]
          : [`Start node ${owner.nodeName} again: the agent comes back with its state.`,
              'Or run it elsewhere from a clean state: mielin agent deploy FILE --replace (its old state stays on that node).']
      })
    }
    // epochs only grow, past the entry of an agent that was stopped too: a stale record never wins
    const epoch = lastEpoch + 1
    this.#held.set(req.id, { node: req.node, epoch, until: Date.now() + CLAIM_HOLD_MS })
    return owner === undefined ? { epoch } : { epoch, previous: owner }
  }

  /** Who owns `id` now, checked with the node the directory names; undefined when nobody does. */
  async #owner (id: string, signal?: AbortSignal): Promise<{ owner?: Grant['previous'], lastEpoch: number }> {
    const entry = await this.#c.directory.get(id, { signal })
    if (entry === undefined) return { lastEpoch: 0 }
    const member = this.#c.membership.members().find((m) => m.peerId === entry.node)
    const state = member?.state ?? 'gone'
    const nodeName = this.#nameOf(entry.node)
    // what its node last gossiped (a namespaced --replace must not take another tenant's id)
    const namespace = gossipedAgents(member?.extra).find((a) => a.id === id)?.namespace
    const owned = (epoch: number): { owner: Grant['previous'], lastEpoch: number } => ({ owner: { node: entry.node, nodeName, epoch, state, ...(namespace !== undefined ? { namespace } : {}) }, lastEpoch: epoch })
    if (entry.node === this.#self) {
      if (this.#c.kernel.has(id)) return owned(entry.epoch)
    } else if (state === 'alive' || state === 'suspect') {
      const answer = await this.#c.mesh.request<{ entry?: { epoch: number } }>(entry.node, NODE_PROTOCOL, { op: 'has', id }, { signal, timeoutMs: 10_000 })
      if (answer.entry !== undefined) return owned(Math.max(entry.epoch, answer.entry.epoch))
    } else {
      // its node left or died: the agent is unavailable, not gone; only --replace takes the id over
      return owned(entry.epoch)
    }
    this.#c.directory.forget(id, entry.node) // stopped since: the id is free
    return { lastEpoch: entry.epoch }
  }

  #nameOf (peerId: string): string {
    const m = this.#c.membership.members().find((x) => x.peerId === peerId)
    return m?.name ?? peerId.slice(-8)
  }
}
