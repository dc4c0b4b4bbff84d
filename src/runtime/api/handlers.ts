import { manifestOf, readAgentFile } from '../manifest/index.js'
import type { ControlHandler, ControlStreamHandler } from '../control/index.js'
import { InvalidArgumentError } from '../errors.js'
import type { Mesh } from '../mesh/index.js'
import type { ClusterServices } from '../cluster/index.js'
import type { AgentInfo, AgentList, AgentView, DeployParams, LogLine, NodeStatus, SendParams, SendResult } from '../types/index.js'
import { ComponentUploads } from './component-upload.js'

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
  const uploads = new ComponentUploads()
  const handlers: Record<string, ControlHandler> = {
    'mesh.status': () => d.status(),
    'mesh.peers': () => services.peers(),
    'mesh.join': async (p: { addrs?: string[] }, { signal }) => {
      const dialed: string[] = []
      for (const addr of p.addrs ?? []) dialed.push((await d.mesh.dial(addr, { signal })).toString())
      return dialed
    },
    'mesh.leave': () => { setImmediate(d.leave); return { leaving: true } },
    // a component from afar comes in chunks first (component-upload.ts), on the connection that deploys it
    'agent.upload': (p, { peer }) => uploads.add(peer ?? '', p),
    'agent.deploy': async (p: DeployParams & { upload?: string }, { signal, peer }) => {
      const bytes = p.upload !== undefined ? uploads.take(peer ?? '', p.upload) : p.wasm !== undefined ? Buffer.from(p.wasm, 'base64') : undefined
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
    // a stream from the agent's node: each line as it is logged there, none polled for
    'agent.logs.follow': (p: { id: string }, { signal }) => services.followLogs(p.id, signal)
  }
  return { handlers, streams }
}
