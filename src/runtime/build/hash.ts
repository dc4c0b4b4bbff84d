import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { PACKAGE_ROOT, sdkDir, WIT_PATH } from './paths.js'
import type { AgentProject } from './project.js'

/** The file beside the build output that records what it was built from. */
export const BUILD_HASH_FILE = '.build-hash'

/**
 * A hash of everything the component depends on: the project's sources, mielin.json and
 * package files, the SDK, the WIT world, and the versions of mielin and componentize-js.
 * Equal hashes mean an equal component, so the build can be skipped.
 */
export async function buildHash (project: AgentProject): Promise<string> {
  const hash = createHash('sha256')
  const add = (label: string, content: string | Uint8Array): void => {
    hash.update(`${label}\0${content.length}\0`)
    hash.update(content)
  }
  for (const file of await listFiles(path.join(project.dir, 'src'))) add(`src/${path.relative(path.join(project.dir, 'src'), file)}`, await readFile(file))
  for (const name of ['mielin.json', 'package.json', 'package-lock.json']) {
    const file = path.join(project.dir, name)
    if (existsSync(file)) add(name, await readFile(file))
  }
  for (const file of await listFiles(sdkDir())) {
    if (/\.(js|ts)$/.test(file) && !file.endsWith('.d.ts')) add(`sdk/${path.basename(file)}`, await readFile(file))
  }
  add('wit', await readFile(WIT_PATH))
  add('mielin', await packageVersion(PACKAGE_ROOT))
  add('componentize-js', await packageVersion(packageDir('@bytecodealliance/componentize-js')))
  return hash.digest('hex')
}

/** The folder of an installed package, wherever npm put it. */
function packageDir (name: string): string {
  try {
    let dir = path.dirname(fileURLToPath(import.meta.resolve(name)))
    while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir)
    return dir
  } catch {
    return path.join(PACKAGE_ROOT, 'node_modules', name)
  }
}

async function packageVersion (dir: string): Promise<string> {
  try {
    return (JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? ''
  } catch {
    return ''
  }
}

async function listFiles (dir: string): Promise<string[]> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return []
  }
  const nested = await Promise.all(entries
    .filter((e) => e.name !== 'node_modules' && !e.name.startsWith('.'))
    .map(async (e) => e.isDirectory() ? await listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
  return nested.flat().sort()
}
