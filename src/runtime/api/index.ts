/**
 * The control API of a mesh node: what the local CLI asks over the owner-only control socket,
 * and operators ask over libp2p with a capability token. Both run on the RPC layer
 * (src/runtime/rpc), so every method, streams included, works the same over either.
 *
 * @example
 * ```ts
 * const { handlers, streams } = controlHandlers({ services, mesh, status, leave })
 * await serveRemoteControl({ mesh, handlers, streams, adminPublicKey, services })
 * const client = await RemoteControlClient.connect({ dataDir, remote: '10.0.0.5:9001', token })
 * const agents = await client.call('agent.list')
 * const placements = await client.call('agent.deploy', { ...await componentSource(client, 'dist/echo.wasm', { remote: true }) })
 * for await (const line of client.stream('agent.logs.follow', { id: 'echo' }, { signal })) console.log(line.message)
 * await client.close()
 * ```
 */
export { controlHandlers, type ControlApiDeps } from './handlers.js'
export { RIGHT_OF, serveRemoteControl, type RemoteControlParts } from './remote-control.js'
export { componentSource, uploadComponent, MAX_UPLOAD_BYTES } from './component-upload.js'
export { RemoteControlClient, type RemoteTarget } from './remote-client.js'
export { CONTROL_PROTOCOL } from './frames.js'
