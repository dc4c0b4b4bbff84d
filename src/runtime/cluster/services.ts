import { createHash } from 'node:crypto'
import type { PeerId } from '@libp2p/interface'
import { parseManifest } from '../manifest/index.js'
import { parseRequirements, place, type NodeSummary } from '../placement/index.js'
import { InvalidArgumentError } from '../errors.js'
import { AgentNotFoundError, newMessageId, type Kernel } from '../kernel/index.js'
import type { Logger } from '../logger.js'
import type { DhtDirectory, DirectoryEntry } from '../mesh/index.js'
import type { Membership, Mesh } from '../mesh/index.js'
import type { NodeStore } from '../store/index.js'
import { hashBytes } from '../wasm/index.js'
import { fromWire, IPC_PROTOCOL, ipcSchema, NODE_PROTOCOL, nodeSchema, toWire, type NodeRequest } from './frames.js'
import type { AgentLogs } from './agent-logs.js'
import type { AgentInfo, AgentManifest, AgentView, DeployParams, Envelope, HardwareSummary, LogLine, PeerView, Placement } from '../types/index.js'

/**
 * What a mesh node does for agents across the cluster: route envelopes to the node that
 * runs the target (directory lookup, then the ipc channel), answer other nodes' requests
 * (deploy, blob chunks, agent lists, stop, logs), and place new agents.
 */
export interface ServicesDeps {
  mesh: Mesh
  membership: Membership
  kernel: Kernel
  store: NodeStore
  directory: DhtDirectory
  logs: AgentLogs
  logger: Logger
}

const BLOB_CHUNK = 512 * 1024

export class MeshServices {
  constructor (private readonly d: ServicesDeps) {}

  #self?: string
  get self (): string { return (this.#self ??= this.d.mesh.peerId.toString()) }

  async start (): Promise<void> {
    const { mesh, kernel } = this.d
    await mesh.handleChannel(IPC_PROTOCOL, ipcSchema, async (frame) => {
      if (frame.op === 'deliver') {
        kernel.accept(fromWire(frame.envelope))
        return undefined
      }
      const reply = await kernel.request(frame.from, frame.to, frame.payload, { timeoutMs: frame.timeoutMs })
      return reply === undefined ? {} : { reply }
    })
    await mesh.handle(NODE_PROTOCOL, nodeSchema, async (frame, ctx) => frame.op === 'deploy' ? await this.#deployHere(frame, ctx.peer) : await this.#node(frame, ctx.signal), { maxFrameBytes: 2 * BLOB_CHUNK })
  }

  /** Finds an agent's node: here, the directory, or by asking the peers. */
  async locate (id: string, signal?: AbortSignal): Promise<DirectoryEntry> {
    if (this.d.kernel.has(id)) return { agent: id, node: this.self, epoch: 0, ts: Date.now() }
    const entry = await this.d.directory.get(id, { signal })
    if (entry === undefined) {
      throw new AgentNotFoundError(`No node of the cluster runs an agent "${id}".`, undefined, { suggestions: ['List the agents with `mielin agent list`.'] })
    }
    return entry
  }

  /** Sends an envelope for an agent this node does not host to the node that runs it (the kernel's router). */
  route (e: Envelope): void { void this.#route(e) }

  async #route (e: Envelope): Promise<void> {
    try {
      const entry = await this.locate(e.to)
      if (entry.node === this.self) throw new AgentNotFoundError(`Agent "${e.to}" is not here any more.`)
      await this.d.mesh.channel(entry.node, IPC_PROTOCOL).notify({ op: 'deliver', envelope: toWire(e) })
    } catch (err) {
      this.d.directory.forget(e.to)
      this.d.logger(`no route for ${e.kind} ${e.id} to ${e.to}: ${(err as Error).message}`)
      // A request from a local agent gets an error reply instead of silence.
      if (e.kind === 'request' && this.d.kernel.has(e.from)) {
        this.d.kernel.accept({
          id: newMessageId(), from: e.to, to: e.from, seq: BigInt(Date.now()), kind: 'reply', replyTo: e.id,
          payload: JSON.stringify({ error: { code: (err as { code?: string }).code ?? 'E_NO_ROUTE', message: (err as Error).message } })
        })
      }
    }
  }

  /** A request to an agent anywhere; resolves with its reply. */
  async request (from: string, to: string, payload: string, timeoutMs: number, signal?: AbortSignal): Promise<{ node: string, reply?: string }> {
    const entry = await this.locate(to, signal)
    if (entry.node === this.self) return { node: this.self, reply: await this.d.kernel.request(from, to, payload, { timeoutMs, signal }) }
    const r = await this.d.mesh.channel(entry.node, IPC_PROTOCOL).request<{ reply?: string }>({ op: 'request', from, to, payload, timeoutMs }, { signal, timeoutMs: timeoutMs + 1000 })
    return { node: entry.node, reply: r.reply }
  }

  /** A one-way message to an agent anywhere. */
  async send (from: string, to: string, payload: string, signal?: AbortSignal): Promise<{ node: string, messageId: string }> {
    const entry = await this.locate(to, signal)
    const e = this.d.kernel.send(from, to, payload) // routed by the kernel when not local
    return { node: entry.node, messageId: e.id }
  }

  // ---- placement and deploy -------------------------------------------------------------

  summaries (): NodeSummary[] {
    return this.d.membership.members().map((m) => ({
      peerId: m.peerId, name: m.name, labels: m.labels, state: m.state === 'alive' ? 'alive' : m.state,
      hardware: m.hardware as unknown as HardwareSummary,
      load: { agents: m.load.agents, cpu: m.load.cpu, memory: 0 }
    }))
  }

  peers (): PeerView[] {
    return this.d.membership.members().map((m) => ({
      peerId: m.peerId, name: m.name, self: m.self, state: m.state, addrs: m.addrs, labels: m.labels,
      hardware: m.hardware as unknown as HardwareSummary, load: m.load, lastSeenMs: Date.now() - m.lastHeardAt
    }))
  }

  async deploy (p: DeployParams & { bytes: Uint8Array, manifest: AgentManifest }, signal?: AbortSignal): Promise<Placement[]> {
    const spec = parseRequirements(p.require ?? [], p.manifest.placement)
    const replicas = p.replicas ?? 1
    const base = p.name ?? p.manifest.name
    const hash = hashBytes(p.bytes)
    await this.d.store.putBlob(hash, p.bytes) // others fetch it from here
    const out: Placement[] = []
    for (let i = 1; i <= replicas; i++) {
      const id = replicas === 1 ? base : `${base}-${i}`
      const nodes = this.summaries()
      const target = p.node !== undefined
        ? nodes.find((n) => n.peerId === p.node || n.name === p.node) ?? (() => { throw new InvalidArgumentError(`No node "${p.node}" in the cluster.`, undefined, { suggestions: ['See the nodes with `mielin mesh peers`.'] }) })()
        : place(spec, nodes)
      const frame = { op: 'deploy' as const, hash, manifest: p.manifest as never, id, namespace: p.namespace ?? 'default', ...(p.caps !== undefined ? { caps: p.caps } : {}) }
      out.push(target.peerId === this.self
        ? await this.#deployHere(frame, this.d.mesh.peerId, p.bytes)
        : await this.d.mesh.request<Placement>(target.peerId, NODE_PROTOCOL, frame, { signal, timeoutMs: 120_000 }))
    }
    return out
  }

  async #deployHere (f: Extract<NodeRequest, { op: 'deploy' }>, from: PeerId, bytes?: Uint8Array): Promise<Placement> {
    const manifest = parseManifest(f.manifest, 'deploy request')
    const component = bytes ?? await this.d.store.getBlob(f.hash) ?? await this.#fetchBlob(from, f.hash)
    const previous = await this.d.directory.get(f.id).catch(() => undefined)
    await this.d.kernel.deploy({ component, manifest, id: f.id, namespace: f.namespace, caps: f.caps })
    const entry = await this.d.directory.compareAndSet(f.id, previous?.epoch, { node: this.self, epoch: (previous?.epoch ?? 0) + 1 })
    return { agent: f.id, node: this.self, nodeName: this.d.membership.member(this.self)?.name ?? this.self, epoch: entry.epoch }
  }

  /** Fetches a component from the node that has it, chunk by chunk, and checks its hash. */
  async #fetchBlob (from: PeerId, hash: string): Promise<Uint8Array> {
    const parts: Buffer[] = []
    let total = Infinity
    for (let offset = 0; offset < total;) {
      const r = await this.d.mesh.request<{ data: string, total: number }>(from, NODE_PROTOCOL, { op: 'blob', hash, offset }, { timeoutMs: 30_000 })
      const chunk = Buffer.from(r.data, 'base64')
      if (chunk.length === 0) throw new Error(`the component ${hash.slice(0, 12)} came back short`)
      parts.push(chunk)
      offset += chunk.length
      total = r.total
    }
    const bytes = Buffer.concat(parts)
    if (createHash('sha256').update(bytes).digest('hex') !== hash) throw new Error(`the component fetched from ${from.toString()} does not match its hash`)
    await this.d.store.putBlob(hash, bytes)
    return bytes
  }

  // ---- node-to-node requests -------------------------------------------------------------

  async #node (f: NodeRequest, signal?: AbortSignal): Promise<object> {
    const { kernel } = this.d
    switch (f.op) {
      case 'agents': return { agents: kernel.list() }
      case 'has': return kernel.has(f.id) ? { entry: { agent: f.id, node: this.self, epoch: 0, ts: Date.now() } } : {}
      case 'inspect': return kernel.info(f.id)
      case 'stop': await kernel.stopAgent(f.id); this.d.directory.forget(f.id); return {}
      case 'logs': return { lines: await this.d.logs.wait(f.id, f.after ?? 0, f.waitMs ?? 0, signal) }
      case 'deploy': return await this.#deployHere(f, this.d.mesh.peerId)
      case 'blob': {
        const bytes = await this.d.store.getBlob(f.hash)
        if (bytes === undefined) throw new AgentNotFoundError(`No component ${f.hash.slice(0, 12)} here.`)
        return { data: Buffer.from(bytes.subarray(f.offset, f.offset + BLOB_CHUNK)).toString('base64'), total: bytes.length }
      }
    }
  }

  /** Asks every live member for something, in parallel; members that fail are skipped. */
  async askAll<T> (frame: NodeRequest, pick: (r: unknown) => T[], signal?: AbortSignal): Promise<Array<{ node: string, items: T[] }>> {
    const members = this.d.membership.members().filter((m) => m.state === 'alive')
    const answers = await Promise.all(members.map(async (m) => {
      try {
        const r = m.self ? await this.#node(frame) : await this.d.mesh.request(m.peerId, NODE_PROTOCOL, frame, { signal, timeoutMs: 5000 })
        return { node: m.peerId, items: pick(r) }
      } catch {
        return { node: m.peerId, items: [] as T[] }
      }
    }))
    return answers
  }

  async listAgents (signal?: AbortSignal): Promise<AgentView[]> {
    const names = new Map(this.d.membership.members().map((m) => [m.peerId, m.name]))
    const all = await this.askAll<AgentInfo>({ op: 'agents' }, (r) => (r as { agents: AgentInfo[] }).agents, signal)
    return all.flatMap(({ node, items }) => items.map((a) => ({ ...a, node, nodeName: names.get(node) ?? node })))
  }

  /** Runs a node request where the agent lives. */
  async onOwner<T> (id: string, frame: NodeRequest, signal?: AbortSignal): Promise<{ node: string, result: T }> {
    const entry = await this.locate(id, signal)
    const result = entry.node === this.self ? await this.#node(frame, signal) : await this.d.mesh.request(entry.node, NODE_PROTOCOL, frame, { signal, timeoutMs: 10_000 + ((frame as { waitMs?: number }).waitMs ?? 0) })
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

  logsOf (id: string, after?: number): LogLine[] { return this.d.logs.get(id, after) }
}
