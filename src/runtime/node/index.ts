/**
 * Assembles a node: the store, hardware profile, WebAssembly host and kernel and, for a mesh
 * node, the libp2p mesh, membership, directory, cluster services and control API, started in
 * order, with the agents of the previous run brought back from their checkpoints. Every node
 * the CLI runs is built here: `agent run` and `agent test` (no mesh) and `mesh start`.
 *
 * @example
 * ```ts
 * const local = await createNode({}, { dataDir: '/tmp/node-a' })
 * const agent = await local.deployFile('dist/hello.wasm')
 * console.log(await local.kernel.request('cli:me', agent.id, '{"n":1}'))
 * await local.stop()
 *
 * const node = await createNode({}, { dataDir: '/tmp/node-b', mesh: { host: '127.0.0.1', port: 9001 } })
 * console.log(node.mesh?.status())
 * ```
 */
export { createNode, type MeshNode, type MielinNode, type NodeComponents, type NodeInit } from './create-node.js'
export { defaultDataDir, gitTreeExposing } from './data-dir.js'
export type { MeshNodeInit } from './mesh-parts.js'
export type { RestoreReport } from './restore.js'
