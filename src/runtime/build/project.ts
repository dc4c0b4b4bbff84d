import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { parseManifest } from '../manifest/index.js'
import { InvalidInputError } from '../errors.js'
import { ProjectNotFoundError } from './errors.js'
import type { AgentManifest } from '../types/index.js'

/** An agent project on disk: `mielin.json` and `src/agent.ts` (or `.js`). */
export interface AgentProject {
  dir: string
  manifest: AgentManifest
  /** Absolute path of the agent's entry module. */
  entry: string
  /** The output folder, `<dir>/dist`. */
  outDir: string
}

const ENTRIES = ['src/agent.ts', 'src/agent.mts', 'src/agent.js', 'src/agent.mjs']

export async function loadProject (dir: string): Promise<AgentProject> {
  const manifestPath = path.join(dir, 'mielin.json')
  let text: string
  try {
    text = await readFile(manifestPath, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    throw new ProjectNotFoundError(`${dir} is not an agent project: it has no mielin.json.`, undefined, {
      suggestions: ['Run the command inside a project made by `mielin new agent <name>`, or pass its directory: `mielin agent build <dir>`.'],
      cause: err
    })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new InvalidInputError(`mielin.json is not valid JSON: ${(err as Error).message}`, 'E_MANIFEST_INVALID', {
      suggestions: ['Fix the JSON syntax of mielin.json.'],
      cause: err
    })
  }
  const manifest = parseManifest(json, 'mielin.json')
  const entry = ENTRIES.map((e) => path.join(dir, e)).find((e) => existsSync(e))
  if (entry === undefined) {
    throw new ProjectNotFoundError(`The agent's source is missing: ${dir} has no src/agent.ts.`, undefined, {
      suggestions: ['Create src/agent.ts with `export default defineAgent({ onMessage (msg, ctx) { … } })`.']
    })
  }
  return { dir, manifest, entry, outDir: path.join(dir, 'dist') }
}

/** The agent project a path is in: the nearest folder, from `start` up, that holds a mielin.json. */
export function findProjectDir (start: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'mielin.json'))) return dir
    if (path.dirname(dir) === dir) return undefined
  }
}
