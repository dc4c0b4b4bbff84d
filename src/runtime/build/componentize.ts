import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { ComponentizeError } from './errors.js'
import { WIT_PATH } from './paths.js'

/**
 * Turns the bundled ES module into a component of the `mielin:agent` world with
 * componentize-js. Every WASI feature is off, so the component imports only the world's
 * host interfaces. The module's top level runs now, at build time (the engine is
 * snapshotted), where no host exists.
 *
 * The bundle is written to `sourcePath` first and left there, so that the line numbers of a
 * build-time error can be looked up.
 */
export async function componentizeAgent (bundle: string, options: { sourcePath: string, worldName?: string, witPath?: string }): Promise<Uint8Array> {
  const { componentize } = await import('@bytecodealliance/componentize-js')
  const { sourcePath } = options
  await mkdir(path.dirname(sourcePath), { recursive: true })
  await writeFile(sourcePath, bundle)
  try {
    const { component } = await componentize({
      sourcePath,
      witPath: options.witPath ?? WIT_PATH,
      worldName: options.worldName ?? 'agent',
      disableFeatures: ['http', 'fetch-event', 'stdio', 'random', 'clocks']
    })
    return component
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    throw new ComponentizeError(`componentize-js could not build the component: ${firstLines(message)}`, undefined, {
      cause: err,
      suggestions: [
        'Code at the top level of your modules runs at build time, where no host exists: create tensors and call ctx only inside onStart or onMessage.',
        `Line numbers of agent.js refer to the bundle (your code with the SDK): ${sourcePath}`
      ]
    })
  }
}

function firstLines (text: string, n = 12): string {
  const lines = text.trim().split('\n')
  return lines.length <= n ? lines.join('\n') : `${lines.slice(0, n).join('\n')}\n…`
}
