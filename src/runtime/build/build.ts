import { existsSync } from 'node:fs'
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { embedManifest, readManifest } from '../manifest/index.js'
import { throwIfAborted } from '../errors.js'
import { bundleAgent } from './bundle.js'
import { componentizeAgent } from './componentize.js'
import { ComponentizeError } from './errors.js'
import { BUILD_HASH_FILE, buildHash } from './hash.js'
import { loadProject } from './project.js'
import { typecheckAgent } from './typecheck.js'
import { validateComponent } from './validate.js'

export type BuildStep = 'typecheck' | 'bundle' | 'componentize' | 'validate'
export const BUILD_STEPS: readonly BuildStep[] = ['typecheck', 'bundle', 'componentize', 'validate']

export interface BuildProgress {
  step: BuildStep
  phase: 'start' | 'done'
  /** Time the step took, on 'done'. */
  ms?: number
}

export interface BuildInit {
  /** The project directory (holds mielin.json). Default: process.cwd(). */
  dir?: string
  /** Rebuild even when nothing changed since the last build. Default: false. */
  force?: boolean
  signal?: AbortSignal
  onProgress?: (progress: BuildProgress) => void
}

export interface BuildResult {
  name: string
  /** Absolute path of `dist/<name>.wasm`. */
  wasm: string
  /** Absolute path of `dist/<name>.manifest.json`. */
  manifest: string
  /** Size of the component. */
  bytes: number
  ms: number
  /** True when nothing changed and the previous build was kept. */
  skipped: boolean
}

/**
 * Builds an agent project into `dist/<name>.wasm` (manifest embedded) and
 * `dist/<name>.manifest.json`: type-check, bundle, componentize, validate. Skipped when the
 * build hash in `dist/.build-hash` matches.
 */
export async function buildAgent (init: BuildInit = {}): Promise<BuildResult> {
  const started = performance.now()
  throwIfAborted(init.signal)
  const project = await loadProject(path.resolve(init.dir ?? process.cwd()))
  const { manifest, outDir } = project
  const wasm = path.join(outDir, `${manifest.name}.wasm`)
  const manifestFile = path.join(outDir, `${manifest.name}.manifest.json`)
  const hashFile = path.join(outDir, BUILD_HASH_FILE)
  const hash = await buildHash(project)
  const result = (bytes: number, skipped: boolean): BuildResult => ({
    name: manifest.name, wasm, manifest: manifestFile, bytes, ms: Math.round(performance.now() - started), skipped
  })

  if (init.force !== true && existsSync(wasm) && existsSync(manifestFile) && await readText(hashFile) === hash) {
    return result((await stat(wasm)).size, true)
  }

  const step = async <T>(name: BuildStep, fn: () => Promise<T>): Promise<T> => {
    throwIfAborted(init.signal)
    init.onProgress?.({ step: name, phase: 'start' })
    const t0 = performance.now()
    const value = await fn()
    init.onProgress?.({ step: name, phase: 'done', ms: Math.round(performance.now() - t0) })
    return value
  }

  await step('typecheck', async () => { await typecheckAgent(project) })
  const bundle = await step('bundle', async () => await bundleAgent(project))
  const component = await step('componentize', async () => embedManifest(await componentizeAgent(bundle, { sourcePath: path.join(outDir, '.build', 'agent.js') }), manifest))
  await step('validate', async () => {
    await validateComponent(component)
    if (JSON.stringify(readManifest(component)) !== JSON.stringify(manifest)) {
      throw new ComponentizeError('The manifest embedded in the component does not read back unchanged.')
    }
  })
  throwIfAborted(init.signal)

  await mkdir(outDir, { recursive: true })
  await writeFile(wasm, component)
  await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`)
  await writeFile(hashFile, `${hash}\n`)
  return result(component.length, false)
}

async function readText (file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim()
  } catch {
    return undefined
  }
}
