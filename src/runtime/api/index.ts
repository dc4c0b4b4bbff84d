/**
 * The control API of a mesh node: what the local CLI asks over the owner-only control socket,
 * and operators ask over libp2p with a capability token.
 *
 * @example
 * ```ts
 * const { handlers, streams } = controlHandlers({ services, mesh, status, leave })
 * await serveRemoteControl(mesh, handlers, adminPublicKey, services)
 * const agents = await callRemote({ dataDir, remote: '10.0.0.5:9001', token }, 'agent.list', {})
 * ```
 */
export { controlHandlers, serveRemoteControl, type ControlApiDeps } from './handlers.js'
export { callRemote } from './remote-client.js'
export { CONTROL_PROTOCOL, controlSchema } from './frames.js'
