import type { PublicKey } from '@libp2p/interface'
import type { ClusterServices } from '../cluster/index.js'
import { readTokenClaims, TokenMalformedError, verifyToken, type Mesh, type Right } from '../mesh/index.js'
import { serveMethods, type CallMethod, type MethodContext, type MethodRequest, type StreamMethod } from '../rpc/index.js'
import type { AgentInfo } from '../types/index.js'
import { CONTROL_PROTOCOL } from './frames.js'

/** The right each method needs when it comes from afar; a method not listed is served on the local socket only. */
export const RIGHT_OF: Readonly<Record<string, Right>> = {
  'mesh.status': 'read',
  'mesh.peers': 'read',
  'agent.list': 'read',
  'agent.inspect': 'read',
  'agent.logs': 'read',
  'agent.logs.follow': 'read',
  'agent.deploy': 'deploy',
  'agent.send': 'send',
  'agent.stop': 'stop',
  'mesh.join': 'admin',
  'mesh.leave': 'admin'
}

export interface RemoteControlParts {
  mesh: Mesh
  /** The control API's methods, as the local socket serves them. */
  handlers: Record<string, CallMethod>
  streams: Record<string, StreamMethod>
  /** Verifies the tokens: the cluster admin's key. */
  adminPublicKey: Uint8Array | PublicKey
  /** Finds the namespace of the agent a call names. */
  services: Pick<ClusterServices, 'onOwner'>
}

/**
 * Serves the control API over libp2p, on the same RPC layer as the local socket (calls and
 * streams alike), to operators on other machines: every request must carry a token that
 * grants its method's right in the namespace it touches.
 */
export async function serveRemoteControl (p: RemoteControlParts): Promise<void> {
  const pick = <M>(all: Record<string, M>): Record<string, M> => Object.fromEntries(Object.entries(all).filter(([name]) => Object.hasOwn(RIGHT_OF, name)))
  const handlers = pick(p.handlers)
  const deploy = handlers['agent.deploy']
  // a remote caller cannot name files on this machine: it sends the component's bytes
  if (deploy !== undefined) handlers['agent.deploy'] = (params, ctx) => deploy({ ...(params as object), file: undefined }, ctx)
  const entry = serveMethods({ calls: handlers, streams: pick(p.streams) }, { authorize: async (req, ctx) => { await authorize(p, req, ctx) } })
  // streams beyond the inbound limit are not refused at once by libp2p but left to hang: keep
  // the limit of the request protocols, well above what a client opens (one channel)
  await p.mesh.handleChannel(CONTROL_PROTOCOL, entry.schema, (body, ctx) => entry.handler(body, ctx), { maxInboundStreams: 256 })
}

/** Checks the request's token for its method's right, in the namespace it names or that its agent lives in. */
async function authorize (p: RemoteControlParts, req: MethodRequest, ctx: MethodContext): Promise<void> {
  const right = RIGHT_OF[req.method]
  if (req.token === undefined) {
    throw new TokenMalformedError(`"${req.method}" from another machine needs a capability token.`, undefined, { suggestions: ['Pass --token TOKEN (the cluster admin issues one with `mielin token issue`)'] })
  }
  // signature, expiry and right first: a stranger's request never reaches the lookup below
  await verifyToken(req.token, p.adminPublicKey, { right, namespace: readTokenClaims(req.token).namespaces[0] ?? '*' })
  const params = (typeof req.params === 'object' && req.params !== null ? req.params : {}) as Record<string, unknown>
  await verifyToken(req.token, p.adminPublicKey, { right, namespace: await namespaceOf(p, req.method, params, ctx.signal) })
}

/**
 * The namespace a request touches: a deploy's own (`default` unless it names one); for a call
 * that names an agent, the namespace the agent really lives in, whatever else the params say;
 * none for cluster-wide reads and admin calls.
 */
export async function namespaceOf (p: RemoteControlParts, method: string, params: Record<string, unknown>, signal: AbortSignal): Promise<string | undefined> {
  if (method === 'agent.deploy') return typeof params.namespace === 'string' ? params.namespace : 'default'
  if (typeof params.id === 'string') return (await p.services.onOwner<AgentInfo>(params.id, { op: 'inspect', id: params.id }, signal)).result.namespace
  return RIGHT_OF[method] === 'read' || RIGHT_OF[method] === 'admin' ? undefined : 'default'
}
