/** What the `mielin:agent@0.1.0` world allows, as jco names things after transpiling. */
export const WORLD_EXPORTS = ['init', 'onMessage', 'onMigrate'] as const
/** Exports a component may leave out (the node falls back to on-message). */
export const OPTIONAL_EXPORTS = ['onBatch'] as const
export const WORLD_IMPORTS = ['mielin:agent/host', 'mielin:agent/kv', 'mielin:agent/tensor'] as const
export const WORLD_VERSION = '0.1.0'
