import type { PublicKey } from '@libp2p/interface'
import type { ClusterServices } from '../cluster/index.js'
import { readTokenClaims, RIGHTS, TokenMalformedError, verifyToken, type Mesh, type Right } from '../mesh/index.js'
import { serveMethods, type CallMethod, type MethodContext, type MethodRequest, type StreamMethod } from '../rpc/index.js'
import type { AgentInfo, AgentList } from '../types/index.js'
import { CONTROL_PROTOCOL } from './frames.js'

/**
 * The rights that let each method run when it comes from afar (any one of them; `admin`
 * does everything). A method not listed is served on the local socket only.
 *
 * Every right lets a token see what it acts on: the nodes (status, peers) and the agents of
 * its namespaces (list, inspect), so a `--rights deploy,send` token can check its deploys.
 * An agent's log lines, which carry whatever the agent prints, need `read`.
 */
export const RIGHT_OF: Readonly<Record<string, readonly Right[]>> = {
  'mesh.status': RIGHTS,
  'mesh.peers': RIGHTS,
  'agent.list': RIGHTS,
  'agent.inspect': RIGHTS,
  'agent.logs': ['read'],
  'agent.logs.follow': ['read'],
  'agent.upload': ['deploy'],
  'agent.deploy': ['deploy'],
  'agent.send': ['send'],
  'agent.stop': ['stop'],
  'mesh.join': ['admin'],
  'mesh.leave': ['admin']
}

/**
 * Methods a token may run in any namespace it covers: views of the nodes, the agent list
 * (which then shows only the agents of the token's namespaces), and sending a component up
 * (its deploy is checked in the namespace it deploys into).
 */
const IN_OWN_NAMESPACES = new Set(['mesh.status', 'mesh.peers', 'agent.list', 'agent.upload'])

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
  await p.mesh.handleChannel(CONTROL_PROTOCOL, entry.schema, async (req, ctx) => {
    const answer = await entry.handler(req, ctx)
    // the method ran, so its token passed: the namespaces it claims are granted
    return req.method === 'agent.list' && req.token !== undefined ? inNamespaces(answer as AgentList, readTokenClaims(req.token).namespaces) : answer
  }, { maxInboundStreams: 256 })
}

/**
 * The agents of `list` in `namespaces` (`*`: all). An unavailable agent (its node is gone) has
 * the namespace its node's last heartbeat gave; one without (a node of an older version) is
 * seen only by a token for all namespaces. The nodes that did not answer stay named.
 */
export function inNamespaces (list: AgentList, namespaces: readonly string[]): AgentList {
  if (namespaces.includes('*')) return list
  const visible = (a: { id: string, namespace?: string }): boolean => a.namespace !== undefined && namespaces.includes(a.namespace)
  return { ...list, agents: list.agents.filter(visible), unavailable: list.unavailable.filter(visible) }
}

/** The right to check a token for: the first of the method's rights that the token holds (else the first, for the error to name). */
export function rightFor (method: string, held: readonly Right[]): Right {
  const rights = RIGHT_OF[method] ?? ['admin']
  return rights.find((r) => held.includes(r)) ?? rights[0]
}

/** Checks the request's token for its method's right, in the namespace it names or that its agent lives in. */
async function authorize (p: RemoteControlParts, req: MethodRequest, ctx: MethodContext): Promise<void> {
  if (req.token === undefined) {
    throw new TokenMalformedError(`"${req.method}" from another machine needs a capability token.`, undefined, { suggestions: ['Pass --token TOKEN (the cluster admin issues one with `mielin token issue`)'] })
  }
  const claims = readTokenClaims(req.token)
  const right = rightFor(req.method, claims.rights)
  const params = (typeof req.params === 'object' && req.params !== null ? req.params : {}) as Record<string, unknown>
  const own = IN_OWN_NAMESPACES.has(req.method)
  // signature, expiry and right first: a stranger's request never reaches the lookup of an agent's namespace
  if (own || looksUpAgent(req.method, params)) await verifyToken(req.token, p.adminPublicKey, { right, namespace: claims.namespaces[0] ?? '*' })
  if (own) return
  // the other methods are checked once, so a refusal names all the token lacks (`admin` and `*` for mesh leave)
  await verifyToken(req.token, p.adminPublicKey, { right, namespace: await namespaceOf(p, req.method, params, ctx.signal) })
}

/** Whether the namespace a request is checked in is its agent's, which the cluster must be asked for. */
function looksUpAgent (method: string, params: Record<string, unknown>): boolean {
  return method !== 'agent.deploy' && typeof params.id === 'string'
}

/**
 * The namespace a request touches: a deploy's own (`default` unless it names one); for a call
 * that names an agent, the namespace the agent really lives in, whatever else the params say;
 * none (all of them) for admin calls.
 */
export async function namespaceOf (p: RemoteControlParts, method: string, params: Record<string, unknown>, signal: AbortSignal): Promise<string | undefined> {
  if (method === 'agent.deploy') return typeof params.namespace === 'string' ? params.namespace : 'default'
  if (typeof params.id === 'string') return (await p.services.onOwner<AgentInfo>(params.id, { op: 'inspect', id: params.id }, signal)).result.namespace
  return RIGHT_OF[method]?.includes('admin') === true ? undefined : 'default'
}
