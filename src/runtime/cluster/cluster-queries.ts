import { MielinError, throwIfAborted } from '../errors.js'
import type { DirectoryEntry, Member, Membership, Mesh } from '../mesh/index.js'
import type { NodeSummary } from '../placement/index.js'
import type { AgentInfo, AgentList, LogLine, PeerView, UnreachableNode } from '../types/index.js'
import { gossipedAgents } from './agent-gossip.js'
import { NODE_PROTOCOL } from './frames.js'
import type { IpcRouter } from './ipc-router.js'
import { nodeSummary, peerView } from './member-views.js'
import { whyGone } from './node-state.js'
import type { NodeRpc } from './node-rpc.js'

export interface ClusterQueriesComponents {
  mesh: Pick<Mesh, 'peerId' | 'request' | 'channel'>
  membership: Pick<Membership, 'members'>
  /** Answers this node's own part of a query. */
  rpc: Pick<NodeRpc, 'answer' | 'follow'>
  /** Finds the node of an agent. */
  router: Pick<IpcRouter, 'locate' | 'explain'>
}

/** How long a node may take to answer a cluster-wide question. */
const ASK_TIMEOUT_MS = 5000

type Asked = { member: Member, answer: unknown } | { member: Member, error: unknown }
/** A node request with one answer (what NodeRpc.answer takes). */
type NodeAsk = Parameters<NodeRpc['answer']>[0]

/**
 * Questions to the whole cluster or to the node of one agent: the members and their load,
 * every node's agents (and which nodes did not say), and node requests run where an agent lives.
 */
export class ClusterQueries {
  readonly #c: ClusterQueriesComponents
  readonly #self: string

  constructor (components: ClusterQueriesComponents) {
    this.#c = components
    this.#self = components.mesh.peerId.toString()
  }

  peers (): PeerView[] {
    const now = Date.now()
    return this.#c.membership.members().map((m) => peerView(m, now))
  }

  summaries (): NodeSummary[] { return this.#c.membership.members().map(nodeSummary) }

  /**
   * The agents of every node; the agents of nodes that left or died, from their last
   * heartbeat, as unavailable; and the nodes that did not answer with why: a live or suspect
   * node asked in vain (timeout, refused, its error), or a node declared dead (not asked).
   * A node that left on purpose is not missed.
   */
  async listAgents (signal?: AbortSignal): Promise<AgentList> {
    const members = this.#c.membership.members()
    const asked = await this.#ask(members.filter((m) => m.state === 'alive' || m.state === 'suspect'), { op: 'agents' }, signal)
    throwIfAborted(signal) // the caller gave up: that is not the nodes' fault
    const list: AgentList = { agents: [], unavailable: [], unreachable: [] }
    for (const a of asked) {
      const { peerId: node, name: nodeName } = a.member
      if ('error' in a) list.unreachable.push({ node, nodeName, error: whyNot(a.error) })
      else list.agents.push(...(a.answer as { agents: AgentInfo[] }).agents.map((x) => ({ ...x, node, nodeName })))
    }
    const running = new Set(list.agents.map((a) => a.id))
    for (const m of members) {
      const why = whyGone(m)
      if (why === undefined) continue
      if (m.state === 'dead') list.unreachable.push({ node: m.peerId, nodeName: m.name, error: { code: why.code, message: why.message } })
      // an id run anew elsewhere since (deploy --replace) is listed where it runs
      for (const a of gossipedAgents(m.extra)) {
        if (!running.has(a.id)) list.unavailable.push({ ...a, node: m.peerId, nodeName: m.name, why: { code: why.code, message: why.message } })
      }
    }
    // an id gossiped by two gone nodes (replaced, then that node went too): the newer owner
    const newest = new Map<string, AgentList['unavailable'][number]>()
    for (const u of list.unavailable) if ((newest.get(u.id)?.epoch ?? -1) < u.epoch) newest.set(u.id, u)
    list.unavailable = [...newest.values()]
    return list
  }

  /** Runs a node request where the agent lives. */
  async onOwner<T> (id: string, frame: NodeAsk, signal?: AbortSignal): Promise<{ node: string, result: T }> {
    const entry = await this.#c.router.locate(id, signal)
    try {
      const result = entry.node === this.#self ? await this.#c.rpc.answer(frame, { signal }) : await this.#c.mesh.request(entry.node, NODE_PROTOCOL, frame, { signal, timeoutMs: 10_000 })
      return { node: entry.node, result: result as T }
    } catch (err) {
      throw this.#c.router.explain(err, entry.node)
    }
  }

  /**
   * An agent's log lines, then each new one as it is logged, wherever the agent runs: a
   * stream from its node (with that node's back-pressure), until `signal` aborts.
   */
  async * followLogs (id: string, signal: AbortSignal): AsyncGenerator<LogLine, void, undefined> {
    const entry = await this.#c.router.locate(id, signal)
    const frame = { op: 'follow' as const, id }
    if (entry.node === this.#self) yield * this.#c.rpc.follow(frame, signal)
    else {
      try {
        yield * this.#c.mesh.channel(entry.node, NODE_PROTOCOL).stream<LogLine>(frame, { signal })
      } catch (err) {
        throw this.#c.router.explain(err, entry.node)
      }
    }
  }

  /** Where the live peers think an agent runs (the directory's last fallback; a peer that does not answer knows nothing). */
  async askPeers (id: string, signal?: AbortSignal): Promise<DirectoryEntry | undefined> {
    const asked = await this.#ask(this.#c.membership.members().filter((m) => m.state === 'alive'), { op: 'has', id }, signal)
    for (const a of asked) {
      const entry = 'answer' in a ? (a.answer as { entry?: DirectoryEntry }).entry : undefined
      if (entry?.node === a.member.peerId) return entry
    }
    return undefined
  }

  /** Asks each member in parallel (this node through its own RPC); every answer or error, in member order. */
  async #ask (members: Member[], frame: NodeAsk, signal?: AbortSignal): Promise<Asked[]> {
    return await Promise.all(members.map(async (member): Promise<Asked> => {
      try {
        const answer = member.self ? await this.#c.rpc.answer(frame, { signal }) : await this.#c.mesh.request(member.peerId, NODE_PROTOCOL, frame, { signal, timeoutMs: ASK_TIMEOUT_MS })
        return { member, answer }
      } catch (error) {
        return { member, error }
      }
    }))
  }
}

/** Why a node did not answer, as a script can read it: E_MESH_TIMEOUT, E_PEER_REFUSED, E_NODE_UNREACHABLE, or its own error's code. */
function whyNot (err: unknown): UnreachableNode['error'] {
  return err instanceof MielinError ? { code: err.code, message: err.message } : { code: 'E_FAILURE', message: (err as Error)?.message ?? String(err) }
}
