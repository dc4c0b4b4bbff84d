import type { PublicKey } from '@libp2p/interface'
import { manifestOf, readAgentFile } from '../manifest/index.js'
import type { ControlHandler, ControlStreamHandler } from '../control/index.js'
import { InvalidArgumentError, MielinError } from '../errors.js'
import { verifyToken, type Right } from '../mesh/index.js'
import type { Mesh } from '../mesh/index.js'
import { CONTROL_PROTOCOL, controlSchema } from './frames.js'
import type { ClusterServices } from '../cluster/index.js'
import type { AgentInfo, AgentList, AgentView, DeployParams, LogLine, NodeStatus, SendParams, SendResult } from '../types/index.js'

/**
 * The control API of a mesh node. The same handlers serve the owner-only local socket (the
 * local CLI) and, behind a capability-token check, the libp2p control protocol (operators
 * from other machines).
 */
export interface ControlApiDeps {
  services: ClusterServices
  mesh: Mesh
  status: () => NodeStatus
  leave: () => void
}

export function controlHandlers (d: ControlApiDeps): { handlers: Record<string, ControlHandler>, streams: Record<string, ControlStreamHandler> } {
  const { services } = d
  const handlers: Record<string, ControlHandler> = {
    'mesh.status': () => d.status(),
    'mesh.peers': () => services.peers(),
    'mesh.join': async (p: { addrs?: string[] }, { signal }) => {
      const dialed: string[] = []
      for (const addr of p.addrs ?? []) dialed.push((await d.mesh.dial(addr, { signal })).toString())
      return dialed
    },
    'mesh.leave': () => { setImmediate(d.leave); return { leaving: true } },
    'agent.deploy': async (p: DeployParams, { signal }) => {
      const bytes = p.wasm !== undefined ? Buffer.from(p.wasm, 'base64') : undefined
      const agent = bytes !== undefined ? { bytes, manifest: await manifestOf(bytes) } : p.file !== undefined ? await readAgentFile(p.file) : undefined
      if (agent === undefined) throw new InvalidArgumentError('agent.deploy needs a file or the component bytes.')
      return await services.deploy({ ...p, ...agent }, signal)
    },
    // a node that does not answer is named in the result, not skipped: the caller decides what that means
    'agent.list': async (_p, { signal }): Promise<AgentList> => await services.listAgents(signal),
    'agent.send': async (p: SendParams, { signal }): Promise<SendResult> => {
      if (p.wait === true) {
        const r = await services.request('cli:control', p.id, p.payload, p.timeoutMs ?? 30_000, signal)
        return { id: p.id, node: r.node, reply: r.reply === undefined ? undefined : JSON.parse(r.reply) }
      }
      const r = await services.send('cli:control', p.id, p.payload, signal)
      return { id: p.id, node: r.node, messageId: r.messageId }
    },
    'agent.stop': async (p: { id: string }, { signal }) => ({ id: p.id, node: (await services.onOwner(p.id, { op: 'stop', id: p.id }, signal)).node }),
    'agent.inspect': async (p: { id: string }, { signal }): Promise<AgentView> => {
      const { node, result } = await services.onOwner<AgentInfo>(p.id, { op: 'inspect', id: p.id }, signal)
      return { ...result, node, nodeName: services.peers().find((x) => x.peerId === node)?.name ?? node }
    },
    'agent.logs': async (p: { id: string }, { signal }) => (await services.onOwner<{ lines: LogLine[] }>(p.id, { op: 'logs', id: p.id }, signal)).result.lines,
  }
  const streams: Record<string, ControlStreamHandler> = {
    'agent.logs.follow': (p: { id: string }, { signal }) => follow(services, p.id, signal)
  }
  return { handlers, streams }
}

/**
 * New log lines of an agent anywhere, as they come: each ask to its node waits there for the
 * next line (a long poll of up to FOLLOW_WAIT_MS), so nothing is polled on a timer.
 */
async function * follow (services: ClusterServices, id: string, signal: AbortSignal): AsyncIterable<LogLine> {
  let after = 0
  while (!signal.aborted) {
    const { result } = await services.onOwner<{ lines: LogLine[] }>(id, { op: 'logs', id, after, waitMs: FOLLOW_WAIT_MS }, signal)
    for (const l of result.lines) { after = Math.max(after, l.seq); yield l }
    // a node of an older version answers at once, without waiting: do not spin on it
    if (result.lines.length === 0) await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

const FOLLOW_WAIT_MS = 10_000

/** The right each method needs when it comes from afar. */
const RIGHT_OF: Record<string, Right> = {
  'mesh.status': 'read', 'mesh.peers': 'read', 'agent.list': 'read', 'agent.inspect': 'read', 'agent.logs': 'read',
  'agent.deploy': 'deploy', 'agent.send': 'send', 'agent.stop': 'stop', 'mesh.join': 'admin', 'mesh.leave': 'admin'
}

/** Serves the control API over libp2p: every call must carry a valid token for its right and namespace. */
export async function serveRemoteControl (mesh: Mesh, handlers: Record<string, ControlHandler>, adminPublicKey: Uint8Array | PublicKey, services: ClusterServices): Promise<void> {
  await mesh.handle(CONTROL_PROTOCOL, controlSchema, async (frame, ctx) => {
    try {
      const right = RIGHT_OF[frame.method]
      const handler = handlers[frame.method]
      if (right === undefined || handler === undefined) throw new InvalidArgumentError(`Unknown method "${frame.method}".`, 'E_UNKNOWN_METHOD')
      const params = (frame.params ?? {}) as Record<string, unknown>
      const namespace = typeof params.namespace === 'string'
        ? params.namespace
        : typeof params.id === 'string' && frame.method !== 'agent.deploy'
          ? (await services.onOwner<AgentInfo>(params.id, { op: 'inspect', id: params.id }, ctx.signal)).result.namespace
          : right === 'read' || right === 'admin' ? undefined : 'default'
      await verifyToken(frame.token, adminPublicKey, { right, namespace })
      if (frame.method === 'agent.deploy') delete params.file // a remote caller cannot name files on this machine
      return { result: await handler(params, { signal: ctx.signal }) ?? null }
    } catch (err) {
      const e = err instanceof MielinError ? err : new MielinError((err as Error).message, 'E_REMOTE')
      return { error: e.toJSON() }
    }
  })
}
