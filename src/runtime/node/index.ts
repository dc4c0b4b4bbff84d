/**
 * Assembles a node: the store, the WebAssembly host, the kernel and, for a mesh node, the
 * libp2p mesh, membership, directory, cluster services and control API, started in order.
 */
export { createNode, defaultDataDir, type MielinNode, type NodeInit, type RestoreReport } from './local-node.js'
export { startMeshNode, type MeshNodeHandle, type MeshNodeInit } from './mesh-node.js'
