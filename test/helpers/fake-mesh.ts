import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
// the errors alone: mesh/index.js would load libp2p (see esm-js-hook.ts)
import { MeshTimeoutError, NodeUnreachableError, RemoteError } from '../../src/runtime/mesh/errors.js'
import type { z } from 'zod'
import { errorBody, parseFrame } from '../../src/runtime/rpc/index.js'
import type { Mesh } from '../../src/runtime/mesh/index.js'

// every protocol's handler takes its own frame type: stored side by side, each gets what its schema parsed
type Handler = (frame: never, ctx: { peer: PeerId, signal: AbortSignal }) => unknown
interface Served { parse: (v: unknown) => unknown, handler: Handler, maxFrameBytes?: number }

/**
 * The meshes of several nodes joined in memory, for testing the cluster's parts without
 * libp2p: a request or channel frame goes through JSON to the target's handler, checked by
 * its schema, and a failing handler comes back as a RemoteError, as on the wire. A node can
 * stop answering (`silent`, a timeout) or be gone (`down`, unreachable).
 */
export class FakeWire {
  readonly nodes = new Map<string, FakeMesh>()

  async mesh (): Promise<FakeMesh> {
    const m = new FakeMesh(this, peerIdFromPrivateKey(await generateKeyPair('Ed25519')))
    this.nodes.set(m.peerId.toString(), m)
    return m
  }
}

export class FakeMesh {
  readonly served = new Map<string, Served>()
  /** Requests to this node time out. */
  silent = false
  /** Requests to this node cannot connect. */
  down = false
  /** Every frame sent from this node: [peer, protocol, frame]. */
  readonly sent: Array<[string, string, object]> = []

  constructor (readonly wire: FakeWire, readonly peerId: PeerId) {}

  async handle (protocol: string, schema: z.ZodType, handler: Handler, options: { maxFrameBytes?: number } = {}): Promise<void> {
    this.served.set(protocol, { parse: (v) => parseFrame(schema, v, 'frame.b'), handler, maxFrameBytes: options.maxFrameBytes })
  }

  async handleChannel (protocol: string, schema: z.ZodType, handler: Handler): Promise<void> {
    await this.handle(protocol, schema, handler)
  }

  async request<T> (peer: PeerId | string, protocol: string, frame: object, options: { signal?: AbortSignal, timeoutMs?: number } = {}): Promise<T> {
    const to = peer.toString()
    this.sent.push([to, protocol, frame])
    const target = this.wire.nodes.get(to)
    if (target === undefined || target.down) throw new NodeUnreachableError(`Cannot reach ${to} for ${protocol}: connection refused`)
    if (target.silent) throw new MeshTimeoutError(`${to} did not answer ${protocol} within ${options.timeoutMs ?? 10_000} ms.`)
    const served = target.served.get(protocol)
    if (served === undefined) throw new Error(`${to} does not serve ${protocol}`)
    try {
      const answer = await served.handler(served.parse(JSON.parse(JSON.stringify(frame))) as never, { peer: this.peerId, signal: options.signal ?? new AbortController().signal })
      const text = JSON.stringify(answer ?? {})
      if (served.maxFrameBytes !== undefined && text.length > served.maxFrameBytes) throw new Error(`answer of ${text.length} bytes over the frame limit`)
      return JSON.parse(text) as T
    } catch (err) {
      throw new RemoteError(to, errorBody(err, protocol))
    }
  }

  channel (peer: PeerId | string, protocol: string): { notify: (frame: object) => Promise<void>, request: <T>(frame: object, options?: { signal?: AbortSignal, timeoutMs?: number }) => Promise<T> } {
    return {
      notify: async (frame) => { await this.request(peer, protocol, frame) },
      request: async <T>(frame: object, options?: { signal?: AbortSignal, timeoutMs?: number }) => await this.request<T>(peer, protocol, frame, options)
    }
  }

  /** Typed as the parts of Mesh the cluster uses. */
  get asMesh (): Mesh { return this as unknown as Mesh }
}
