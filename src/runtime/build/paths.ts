import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

/**
 * Where the build finds what ships with mielin. The same relative layout holds whether this
 * file runs from `dist/runtime/build/` (installed, built) or `src/runtime/build/` (tests).
 */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const WIT_PATH = path.join(PACKAGE_ROOT, 'templates', 'wit', 'agent.wit')
export const AGENT_TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates', 'agent')
/** Ambient declarations for the assets an agent can import (`*.onnx`, `*.bin`, `*.txt`). */
export const ASSETS_TYPES_PATH = path.join(AGENT_TEMPLATES_DIR, '_shared', 'types', 'mielin-assets.d.ts')
/** The JSON Schema of mielin.json (written by `npm run schema`), copied into each new project. */
export const MANIFEST_SCHEMA_PATH = path.join(PACKAGE_ROOT, 'schema', 'mielin.schema.json')

const SDK_DIR = fileURLToPath(new URL('../../sdk/', import.meta.url))

/** A module of the SDK: the built `.js` when present, else its `.ts` source. */
export function sdkModule (name: 'agent' | 'world'): string {
  const js = path.join(SDK_DIR, `${name}.js`)
  return existsSync(js) ? js : path.join(SDK_DIR, `${name}.ts`)
}

/** What TypeScript resolves `mielin/agent` to: the declarations, or the source in tests. */
export function sdkTypes (): string {
  const dts = path.join(SDK_DIR, 'agent.d.ts')
  return existsSync(dts) ? dts : path.join(SDK_DIR, 'agent.ts')
}

/** The SDK's `.d.ts`, which `mielin new agent` copies into a project (only in a built package). */
export function sdkDeclarationFile (): string | undefined {
  for (const candidate of [path.join(SDK_DIR, 'agent.d.ts'), path.join(PACKAGE_ROOT, 'dist', 'sdk', 'agent.d.ts')]) {
    if (existsSync(candidate)) return candidate
  }
  return undefined
}

/** Every file of the SDK that ends up in a component (for the build hash). */
export function sdkDir (): string { return SDK_DIR }
