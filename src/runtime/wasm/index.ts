/**
 * The WebAssembly host: loads agent components (jco transpile, cached by content hash),
 * compiles each core module once per memory limit, and runs agents in a pool of worker
 * threads whose imports are built only from the capabilities an agent holds.
 *
 * @example
 * ```ts
 * const loader = new ComponentLoader({ cacheDir: '/tmp/mielin-cache' })
 * const component = await loader.load(await readFile('dist/hello.wasm'))
 * const modules = await loader.modules(component, 64)
 * const pool = new WorkerPool({ size: 2, onHostCall, onLog, errorText })
 * await pool.load(0, 'hello', component.gluePath, modules, ['log', 'kv'])
 * ```
 */
export { ComponentLoader, checkWorld, hashBytes, type ComponentLoaderInit, type LoadedComponent } from './loader.js'
export { WorkerPool, WorkerLostError, type Delivered, type WorkerPoolInit } from './worker-pool.js'
export { WasmInvalidError, FIX_WASM } from './errors.js'
export { capMemory } from './memory-limit.js'
export { OPTIONAL_EXPORTS, WORLD_EXPORTS, WORLD_IMPORTS, WORLD_VERSION } from './world.js'
export type { HostCallName, MessageResult } from './protocol.js'
