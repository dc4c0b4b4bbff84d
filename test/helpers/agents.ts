import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { embedManifest } from '../../src/runtime/manifest/section.js'
import { parseManifest } from '../../src/runtime/manifest/parse.js'
import type { AgentManifest } from '../../src/runtime/types/index.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'mielin-test-agents')
const WIT = path.join(ROOT, 'templates', 'wit', 'agent.wit')

/**
 * Builds test/fixtures/agents/<name>.js into a component with componentize-js (10-15 s),
 * cached under node_modules/.cache by the hash of the source and the WIT, so only the first
 * test run pays for it. The manifest is embedded like `mielin agent build` does.
 */
export async function buildFixtureAgent (name: string, manifest: Partial<AgentManifest> = {}): Promise<{ bytes: Uint8Array, manifest: AgentManifest, file: string }> {
  const source = path.join(ROOT, 'test', 'fixtures', 'agents', `${name}.js`)
  const full = parseManifest({ name, version: '0.1.0', capabilities: ['log', 'kv', 'tensor', 'send:*'], ...manifest })
  const hash = createHash('sha256').update(await readFile(source)).update(await readFile(WIT)).digest('hex').slice(0, 16)
  const raw = path.join(CACHE, `${name}-${hash}.component.wasm`)
  let component: Uint8Array
  try {
    component = await readFile(raw)
  } catch {
    const { componentize } = await import('@bytecodealliance/componentize-js')
    const out = await componentize({ sourcePath: source, witPath: WIT, worldName: 'agent', disableFeatures: ['http', 'fetch-event', 'stdio', 'random', 'clocks'] })
    component = out.component
    await mkdir(CACHE, { recursive: true })
    await writeFile(`${raw}.tmp-${process.pid}`, component)
    await rename(`${raw}.tmp-${process.pid}`, raw)
  }
  const bytes = embedManifest(component, full)
  const file = path.join(CACHE, `${name}-${hash}-${createHash('sha256').update(JSON.stringify(full)).digest('hex').slice(0, 8)}.wasm`)
  await writeFile(file, bytes)
  return { bytes, manifest: full, file }
}
