import type { PeerId } from '@libp2p/interface'
import { AgentNotFoundError, type Kernel } from '../kernel/index.js'
import type { DhtDirectory, Mesh } from '../mesh/index.js'
import type { NodeStore } from '../store/index.js'
import type { LogLine } from '../types/index.js'
import type { AgentLogs } from './agent-logs.js'
import { hostedEntry } from './agent-gossip.js'
import type { Deployer } from './deployer.js'
import type { IdArbiter } from './id-arbiter.js'
import { NODE_PROTOCOL, nodeSchema, type NodeRequest } from './frames.js'

/** The largest piece of a component one `blob` answer carries. */
export const BLOB_CHUNK = 512 * 1024

export interface NodeRpcComponents {
  mesh: Pick<Mesh, 'peerId' | 'handle'>
  kernel: Pick<Kernel, 'list' | 'has' | 'info' | 'stopAgent'>
  store: Pick<NodeStore, 'getBlob'>
  directory: Pick<DhtDirectory, 'forget' | 'cached'>
  logs: Pick<AgentLogs, 'get' | 'follow'>
  deployer: Pick<Deployer, 'deployHere'>
  arbiter: Pick<IdArbiter, 'decide' | 'settled'>
}

/** A node request that answers once (`follow` streams). */
export type NodeCall = Exclude<NodeRequest, { op: 'follow' }>

/**
 * Answers the other nodes of the cluster (NODE_PROTOCOL): the agents here, whether one is
 * here, its details, stop it, its log lines (once, or followed as a stream), deploy one,
 * pieces of a component, and claims of the agent ids this node arbitrates. This node asks itself the same way, through `answer` and `follow`,
 * so local and remote give the same result.
 */
export class NodeRpc {
  readonly #c: NodeRpcComponents
  readonly #self: string

  constructor (components: NodeRpcComponents) {
    this.#c = components
    this.#self = components.mesh.peerId.toString()
  }

  async start (): Promise<void> {
    // a blob answer is a chunk in base64 (4/3 of it) plus the frame around it
    await this.#c.mesh.handle(NODE_PROTOCOL, nodeSchema, async (frame, ctx) => frame.op === 'follow'
      ? this.follow(frame, ctx.signal)
      : await this.answer(frame, { from: ctx.peer, signal: ctx.signal }), { maxFrameBytes: 2 * BLOB_CHUNK })
  }

  /** An agent's log lines after `after`, then each new one, until `signal` aborts. */
  follow (f: Extract<NodeRequest, { op: 'follow' }>, signal: AbortSignal): AsyncIterable<LogLine> {
    return this.#c.logs.follow(f.id, f.after ?? 0, signal)
  }

  /** The answer to one request; `from` is the node asking (a deploy fetches the component from it). @default from this node */
  async answer (f: NodeCall, options: { from?: PeerId, signal?: AbortSignal } = {}): Promise<object> {
    const { kernel, directory, logs, store } = this.#c
    switch (f.op) {
      case 'agents': return { agents: kernel.list() }
      case 'has': return kernel.has(f.id) ? { entry: hostedEntry(directory, this.#self, f.id) } : {}
      case 'inspect': return kernel.info(f.id)
      case 'stop': await kernel.stopAgent(f.id); directory.forget(f.id); return {}
      case 'logs': return { lines: logs.get(f.id, f.after ?? 0) }
      case 'deploy': return await this.#c.deployer.deployHere(f, options.from ?? this.#c.mesh.peerId)
      // the claimant is the node asking: it cannot claim an id for another
      case 'claim': return await this.#c.arbiter.decide({ id: f.id, node: options.from?.toString() ?? this.#self, replace: f.replace }, options.signal)
      case 'settle': this.#c.arbiter.settled(f.id, options.from?.toString() ?? this.#self, f.epoch, f.ok); return {}
      case 'blob': {
        const bytes = await store.getBlob(f.hash)
        if (bytes === undefined) throw new AgentNotFoundError(`No component ${f.hash.slice(0, 12)} here.`)
        return { data: Buffer.from(bytes.subarray(f.offset, f.offset + BLOB_CHUNK)).toString('base64'), total: bytes.length }
      }
    }
  }
}
