import { AgentNotFoundError, newMessageId, type Kernel } from '../kernel/index.js'
import type { Logger } from '../logger.js'
import { MielinError } from '../errors.js'
import type { DhtDirectory, DirectoryEntry, Membership, Mesh } from '../mesh/index.js'
import type { Envelope } from '../types/index.js'
import { hostedEntry } from './agent-gossip.js'
import { fromWire, IPC_PROTOCOL, ipcSchema, toWire } from './frames.js'
import { agentOnGoneNode, ago, whyGone } from './node-state.js'

/** Errors that mean the connection to a node broke or never came: what a node that just died gives. */
const CONNECTION_LOST = new Set(['E_NODE_UNREACHABLE', 'E_STREAM_CLOSED', 'E_MESH_TIMEOUT'])

export interface IpcRouterComponents {
  mesh: Pick<Mesh, 'peerId' | 'channel' | 'handleChannel'>
  /** Whether the node of an agent is still up, and its name for errors. */
  membership: Pick<Membership, 'member'>
  kernel: Pick<Kernel, 'has' | 'accept' | 'request' | 'send'>
  directory: Pick<DhtDirectory, 'get' | 'forget' | 'cached'>
  logger: Logger
}

/**
 * Carries envelopes between nodes. An envelope for an agent this node does not host goes to
 * the node that runs it (found in the directory) over the ipc channel; envelopes and requests
 * from other nodes go into this node's kernel. A local agent's request that cannot be routed
 * gets an error reply instead of silence.
 */
export class IpcRouter {
  /** This node's peer id. */
  readonly self: string
  readonly #c: IpcRouterComponents

  constructor (components: IpcRouterComponents) {
    this.#c = components
    this.self = components.mesh.peerId.toString()
  }

  /** Serves the ipc protocol: envelopes and requests from other nodes for the agents here. */
  async start (): Promise<void> {
    const { kernel } = this.#c
    await this.#c.mesh.handleChannel(IPC_PROTOCOL, ipcSchema, async (frame) => {
      if (frame.op === 'deliver') {
        kernel.accept(fromWire(frame.envelope))
        return undefined
      }
      const reply = await kernel.request(frame.from, frame.to, frame.payload, { timeoutMs: frame.timeoutMs })
      return reply === undefined ? {} : { reply }
    })
  }

  /**
   * Finds an agent's node: here, or in the directory (which asks the peers last). An agent
   * whose node left or died is unavailable, and the error says which node and what happened.
   */
  async locate (id: string, signal?: AbortSignal): Promise<DirectoryEntry> {
    if (this.#c.kernel.has(id)) return hostedEntry(this.#c.directory, this.self, id)
    const entry = await this.#c.directory.get(id, { signal })
    if (entry === undefined) {
      throw new AgentNotFoundError(`No node of the cluster runs an agent "${id}".`, undefined, { suggestions: ['List the agents with `mielin agent list`.'] })
    }
    // a node not heard from yet (just started) is tried; one known to have left or died is not
    const member = this.#c.membership.member(entry.node)
    const gone = member === undefined ? undefined : whyGone(member)
    if (gone !== undefined) throw agentOnGoneNode(id, gone)
    return entry
  }

  /**
   * An error from the node of an agent, told in the words of its user: the node by its name
   * rather than its peer id. A member we heard from lately that cannot be reached has most
   * likely just stopped or crashed, so the advice is about that, not about firewalls and keys.
   */
  explain (err: unknown, node: string): unknown {
    if (!(err instanceof MielinError)) return err
    const member = this.#c.membership.member(node)
    if (member === undefined) return err
    err.message = err.message.replaceAll(node, `node ${member.name}`)
    if (node === this.self) return err
    if (CONNECTION_LOST.has(err.code)) {
      err.suggestions.splice(0, err.suggestions.length,
        `Node ${member.name} was last heard from ${ago(Date.now() - member.lastHeardAt)} ago (${member.state}): it may have just stopped or crashed. See \`mielin mesh peers\`, and retry once it is alive.`)
    }
    return err
  }

  /** Sends an envelope for an agent this node does not host to the node that runs it: the kernel's router. */
  route (e: Envelope): void { void this.#route(e) }

  async #route (e: Envelope): Promise<void> {
    const { kernel, directory, mesh } = this.#c
    try {
      const entry = await this.locate(e.to)
      if (entry.node === this.self) throw new AgentNotFoundError(`Agent "${e.to}" is not here any more.`)
      await mesh.channel(entry.node, IPC_PROTOCOL).notify({ op: 'deliver', envelope: toWire(e) })
    } catch (err) {
      directory.forget(e.to)
      this.#c.logger(`no route for ${e.kind} ${e.id} to ${e.to}: ${(err as Error).message}`)
      // A request from a local agent gets an error reply instead of silence.
      if (e.kind === 'request' && kernel.has(e.from)) {
        kernel.accept({
          id: newMessageId(), from: e.to, to: e.from, seq: BigInt(Date.now()), kind: 'reply', replyTo: e.id,
          payload: JSON.stringify({ error: { code: (err as { code?: string }).code ?? 'E_NO_ROUTE', message: (err as Error).message } })
        })
      }
    }
  }

  /** A request to an agent anywhere; resolves with its reply and the node that answered. */
  async request (from: string, to: string, payload: string, timeoutMs: number, signal?: AbortSignal): Promise<{ node: string, reply?: string }> {
    const entry = await this.locate(to, signal)
    if (entry.node === this.self) return { node: this.self, reply: await this.#c.kernel.request(from, to, payload, { timeoutMs, signal }) }
    try {
      const r = await this.#c.mesh.channel(entry.node, IPC_PROTOCOL).request<{ reply?: string }>({ op: 'request', from, to, payload, timeoutMs }, { signal, timeoutMs: timeoutMs + 1000 })
      return { node: entry.node, reply: r.reply }
    } catch (err) {
      throw this.explain(err, entry.node)
    }
  }

  /** A one-way message to an agent anywhere. */
  async send (from: string, to: string, payload: string, signal?: AbortSignal): Promise<{ node: string, messageId: string }> {
    const entry = await this.locate(to, signal)
    const e = this.#c.kernel.send(from, to, payload) // the kernel hands it to route() when the agent is not here
    return { node: entry.node, messageId: e.id }
  }
}
