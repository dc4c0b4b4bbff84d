/**
 * The local control API: other `mielin` commands (and `mielin top`) talk to the node running
 * with the same data dir through a Unix domain socket at `<dataDir>/control.sock`, mode 0600,
 * so only the user who started the node can use it (no token needed: the file mode is the
 * check). On it runs the RPC layer's protocol (src/runtime/rpc), as between nodes: methods
 * either answer once or stream events until they end or the client cancels. Windows named
 * pipes are out of scope for now: on Windows the control socket is not available.
 *
 * @example
 * ```ts
 * const server = new ControlServer({
 *   socketPath: controlSocketPath(dataDir),
 *   handlers: { 'agents.list': async () => kernel.list() },
 *   streams: { 'events.watch': (params, { signal }) => kernel.events.subscribe({ signal }) }
 * })
 * await server.start()
 *
 * const client = await ControlClient.connect(controlSocketPath(dataDir), { signal })
 * const agents = await client.call('agents.list')
 * for await (const event of client.stream('events.watch', {}, { signal })) console.log(event)
 * await client.close()
 * await server.stop()
 * ```
 */
export { ControlClient, type ControlClientOptions } from './client.js'
export {
  ControlClosedError, ControlDeniedError, ControlSocketPathError, NodeNotRunningError, NodeRunningError
} from './errors.js'
export { CONTROL_SOCKET_FILE, controlSocketPath, MAX_CONTROL_FRAME_BYTES } from './protocol.js'
export { ControlServer, type ControlHandler, type ControlServerInit, type ControlServerStatus, type ControlStreamHandler } from './server.js'
