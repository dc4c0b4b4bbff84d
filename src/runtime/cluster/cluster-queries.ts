import type { DirectoryEntry, Membership, Mesh } from '../mesh/index.js'
import type { NodeSummary } from '../placement/index.js'
import type { AgentInfo, AgentView, PeerView } from '../types/index.js'
import { NODE_PROTOCOL, type NodeRequest } from './frames.js'
import type { IpcRouter } from './ipc-router.js'
import { nodeSummary, peerView } from './member-views.js'
import type { NodeRpc } from './node-rpc.js'

export interface ClusterQueriesComponents {
  mesh: Pick<Mesh, 'peerId' | 'request'>
  membership: Pick<Membership, 'members'>
  /** Answers this node's own part of a query. */
  rpc: Pick<NodeRpc, 'answer'>
  /** Finds the node of an agent. */
  router: Pick<IpcRouter, 'locate'>
}

/**
 * Questions to the whole cluster or to the node of one agent: the members and their load,
 * every node's agents, and node requests run where an agent lives.
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

  /** Asks every live member for something, in parallel; members that fail are skipped. */
  async askAll<T> (frame: NodeRequest, pick: (r: unknown) => T[], signal?: AbortSignal): Promise<Array<{ node: string, items: T[] }>> {
    const members = this.#c.membership.members().filter((m) => m.state === 'alive')
    return await Promise.all(members.map(async (m) => {
      try {
        const r = m.self ? await this.#c.rpc.answer(frame) : await this.#c.mesh.request(m.peerId, NODE_PROTOCOL, frame, { signal, timeoutMs: 5000 })
        return { node: m.peerId, items: pick(r) }
      } catch {
        return { node: m.peerId, items: [] as T[] }
      }
    }))
  }

  async listAgents (signal?: AbortSignal): Promise<AgentView[]> {
    const names = new Map(this.#c.membership.members().map((m) => [m.peerId, m.name]))
    const all = await this.askAll<AgentInfo>({ op: 'agents' }, (r) => (r as { agents: AgentInfo[] }).agents, signal)
    return all.flatMap(({ node, items }) => items.map((a) => ({ ...a, node, nodeName: names.get(node) ?? node })))
  }

  /** Runs a node request where the agent lives. */
  async onOwner<T> (id: string, frame: NodeRequest, signal?: AbortSignal): Promise<{ node: string, result: T }> {
    const entry = await this.#c.router.locate(id, signal)
    const result = entry.node === this.#self ? await this.#c.rpc.answer(frame, { signal }) : await this.#c.mesh.request(entry.node, NODE_PROTOCOL, frame, { signal, timeoutMs: 10_000 + ((frame as { waitMs?: number }).waitMs ?? 0) })
    return { node: entry.node, result: result as T }
  }

  /** Where the peers think an agent runs (the directory's last fallback). */
  async askPeers (id: string, signal?: AbortSignal): Promise<DirectoryEntry | undefined> {
    const answers = await this.askAll<DirectoryEntry>({ op: 'has', id }, (r) => {
      const e = (r as { entry?: DirectoryEntry }).entry
      return e === undefined ? [] : [e]
    }, signal)
    return answers.flatMap((a) => a.items.filter((e) => e.node === a.node))[0]
  }
}
