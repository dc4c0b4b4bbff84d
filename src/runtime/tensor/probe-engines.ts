import { createOnnxBackend, onnxRuntimeVersion } from './backends/onnx.js'
import { loadTfjs, tfjsModuleVersion } from './backends/tfjs.js'
import type { EngineProbe } from './choose-engine.js'
import type { EngineName } from './types.js'

/**
 * Finds out whether an engine's module loads here. Loading is the only honest test: a
 * native binding can be installed and still fail to load (wrong libc, missing CPU feature).
 */
export async function probeEngine (name: EngineName): Promise<EngineProbe> {
  try {
    switch (name) {
      case 'tfjs-node':
      case 'tfjs-wasm':
      case 'tfjs-cpu':
        await loadTfjs(name)
        return { loaded: true, version: tfjsModuleVersion(name) }
      case 'onnx': {
        // Compiling and running one tiny graph proves the native library works.
        const backend = await createOnnxBackend({ threads: 1 })
        const x = backend.fromArray(Float32Array.of(-1, 2), [2], 'float32')
        await backend.relu(x)
        await backend.close()
        return { loaded: true, version: onnxRuntimeVersion() }
      }
    }
  } catch (err) {
    return { loaded: false, error: describeLoadError(name, err) }
  }
}

function describeLoadError (name: EngineName, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  if (/Cannot find (module|package)/.test(message) || (err as { code?: string })?.code === 'ERR_MODULE_NOT_FOUND') {
    return name === 'tfjs-node'
      ? 'not installed (it is optional: `npm install @tensorflow/tfjs-node` where its libtensorflow download is reachable)'
      : 'not installed (run the install command from the README)'
  }
  return `failed to load: ${message.split('\n')[0].slice(0, 200)}`
}

export const NOT_PROBED: EngineProbe = { loaded: false, error: 'not probed (a better engine was usable)' }
