import { createHash } from 'node:crypto'
import type { PeerId } from '@libp2p/interface'
import { InvalidArgumentError } from '../errors.js'
import { defaultLogger, type Logger } from '../logger.js'
import type { Kernel } from '../kernel/index.js'
import { parseManifest } from '../manifest/index.js'
import type { DhtDirectory, Membership, Mesh } from '../mesh/index.js'
import { parseRequirements, place, type NodeSummary } from '../placement/index.js'
import type { NodeStore } from '../store/index.js'
import type { AgentManifest, DeployParams, Placement } from '../types/index.js'
import { hashBytes } from '../wasm/index.js'
import { NODE_PROTOCOL, type NodeRequest } from './frames.js'
import type { IdArbiter } from './id-arbiter.js'
import { nodeSummary } from './member-views.js'

export interface DeployerComponents {
  mesh: Pick<Mesh, 'peerId' | 'request'>
  membership: Pick<Membership, 'members' | 'member'>
  kernel: Pick<Kernel, 'deploy' | 'replace' | 'has' | 'info'>
  store: Pick<NodeStore, 'getBlob' | 'putBlob'>
  directory: Pick<DhtDirectory, 'get' | 'write'>
  /** Decides which node owns an id: one owner per id. */
  arbiter: Pick<IdArbiter, 'claim' | 'settle'>
  logger?: Logger
}

export type DeployFrame = Extract<NodeRequest, { op: 'deploy' }>

/**
 * Puts agents on the cluster: picks a node for each replica (placement by constraints and
 * load, the node named, or for `replace` the node the agent runs on), deploys it there, and
 * records the new owner in the directory. The node that runs it first claims the id from the
 * id's arbiter, so an id never has two owners. A node told to deploy fetches the component,
 * chunk by chunk, from the node that asked, and checks its hash.
 */
export class Deployer {
  readonly #c: DeployerComponents
  readonly #self: string
  readonly #log: Logger

  constructor (components: DeployerComponents) {
    this.#c = components
    this.#self = components.mesh.peerId.toString()
    this.#log = components.logger ?? defaultLogger('deployer')
  }

  async deploy (p: DeployParams & { bytes: Uint8Array, manifest: AgentManifest }, signal?: AbortSignal): Promise<Placement[]> {
    const spec = parseRequirements(p.require ?? [], p.manifest.placement)
    const replicas = p.replicas ?? 1
    const base = p.name ?? p.manifest.name
    const hash = hashBytes(p.bytes)
    await this.#c.store.putBlob(hash, p.bytes) // others fetch it from here
    const out: Placement[] = []
    for (let i = 1; i <= replicas; i++) {
      const id = replicas === 1 ? base : `${base}-${i}`
      const placed = (): NodeSummary => place(spec, this.#c.membership.members().map(nodeSummary))
      const target = this.#target(p.node ?? (p.replace === true ? await this.#runsOn(id, signal) : undefined), placed)
      const frame: DeployFrame = {
        op: 'deploy', hash, manifest: p.manifest as never, id, namespace: p.namespace ?? 'default',
        ...(p.caps !== undefined ? { caps: p.caps } : {}), ...(p.replace === true ? { replace: true } : {})
      }
      out.push(target.peerId === this.#self
        ? await this.deployHere(frame, this.#c.mesh.peerId, p.bytes)
        : await this.#c.mesh.request<Placement>(target.peerId, NODE_PROTOCOL, frame, { signal, timeoutMs: 120_000 }))
    }
    return out
  }

  /** The node named with `--node` (peer id or name), else the one placement picks. */
  #target (node: string | undefined, placed: () => NodeSummary): NodeSummary {
    if (node === undefined) return placed()
    const found = this.#c.membership.members().map(nodeSummary).find((n) => n.peerId === node || n.name === node)
    if (found === undefined) throw new InvalidArgumentError(`No node "${node}" in the cluster.`, undefined, { suggestions: ['See the nodes with `mielin mesh peers`.'] })
    return found
  }

  /** The live node an agent runs on, for `replace`; undefined (placement picks) when none does. */
  async #runsOn (id: string, signal?: AbortSignal): Promise<string | undefined> {
    const entry = await this.#c.directory.get(id, { signal })
    const state = entry === undefined ? undefined : this.#c.membership.member(entry.node)?.state
    return state === 'alive' || state === 'suspect' ? entry?.node : undefined
  }

  /**
   * Runs the agent on this node, once the id's arbiter granted it the id; `bytes` when we have
   * them, else from the store or fetched from `from`. With `replace`, an agent already running
   * here under the id gets the new code and keeps its state.
   */
  async deployHere (f: DeployFrame, from: PeerId, bytes?: Uint8Array): Promise<Placement> {
    const { kernel, store, directory, membership, arbiter } = this.#c
    const manifest = parseManifest(f.manifest, 'deploy request')
    const component = bytes ?? await store.getBlob(f.hash) ?? await this.#fetchBlob(from, f.hash)
    const grant = await arbiter.claim(f.id, f.replace === true)
    const previous = grant.previous
    const inPlace = previous?.node === this.#self && kernel.has(f.id)
    let ok = false
    try {
      if (previous !== undefined && !inPlace && (previous.state === 'alive' || previous.state === 'suspect')) {
        throw new InvalidArgumentError(`--replace runs the new code where "${f.id}" runs now, on node ${previous.nodeName}, not here.`, undefined, {
          suggestions: ['Leave out --node (and --require) with --replace.']
        })
      }
      // the namespace a token was checked in must be the agent's own: no replacing across tenants
      const ownNamespace = inPlace ? kernel.info(f.id).namespace : previous?.namespace
      if (ownNamespace !== undefined && ownNamespace !== f.namespace) {
        throw new InvalidArgumentError(`Agent "${f.id}" lives in namespace "${ownNamespace}", not "${f.namespace}": --replace keeps its namespace.`, undefined, {
          suggestions: [`Deploy with --namespace ${ownNamespace} (and a token for it).`]
        })
      }
      const init = { component, manifest, id: f.id, namespace: f.namespace, caps: f.caps }
      if (inPlace) await kernel.replace(init)
      else await kernel.deploy(init)
      directory.write(f.id, grant.epoch)
      ok = true
    } finally {
      await arbiter.settle(f.id, grant, ok).catch((err: Error) => { this.#log(`settling the claim of ${f.id}: ${err.message}`) })
    }
    const placement: Placement = { agent: f.id, node: this.#self, nodeName: membership.member(this.#self)?.name ?? this.#self, epoch: grant.epoch }
    if (previous !== undefined) placement.replaced = { nodeName: previous.nodeName, stateKept: inPlace }
    return placement
  }

  /** Fetches a component from the node that has it, chunk by chunk, and checks its hash. */
  async #fetchBlob (from: PeerId, hash: string): Promise<Uint8Array> {
    const parts: Buffer[] = []
    let total = Infinity
    for (let offset = 0; offset < total;) {
      const r = await this.#c.mesh.request<{ data: string, total: number }>(from, NODE_PROTOCOL, { op: 'blob', hash, offset }, { timeoutMs: 30_000 })
      const chunk = Buffer.from(r.data, 'base64')
      if (chunk.length === 0) throw new Error(`the component ${hash.slice(0, 12)} came back short`)
      parts.push(chunk)
      offset += chunk.length
      total = r.total
    }
    const bytes = Buffer.concat(parts)
    if (createHash('sha256').update(bytes).digest('hex') !== hash) throw new Error(`the component fetched from ${from.toString()} does not match its hash`)
    await this.#c.store.putBlob(hash, bytes)
    return bytes
  }
}
