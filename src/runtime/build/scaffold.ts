import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { AGENT_NAME_RULE, isAgentName, isCapabilityName, parseManifest } from '../manifest/index.js'
import { InvalidArgumentError, MielinError, ExitCode, throwIfAborted } from '../errors.js'
import { DirNotEmptyError } from './errors.js'
import { AGENT_TEMPLATES_DIR, MANIFEST_SCHEMA_PATH, sdkDeclarationFile } from './paths.js'
import { TEMPLATE_NAMES, TEMPLATES, type TemplateName } from './templates.js'
import type { AgentManifest } from '../types/index.js'

export interface ScaffoldInit {
  /** The agent's name: lower-case letters, digits and dashes, starting with a letter. */
  name: string
  /** Template folder of templates/agent/. Default: 'basic'. */
  template?: string
  /** Capabilities written to mielin.json. Default: the template's. */
  capabilities?: string[]
  /** Directory to create the project in. Default: `<cwd>/<name>`. */
  dir?: string
  /** Base for a relative `dir`. Default: process.cwd(). */
  cwd?: string
  /** Write into a directory that already holds files (same-named files are replaced). Default: false. */
  force?: boolean
  signal?: AbortSignal
}

export interface ScaffoldResult {
  /** Absolute path of the project. */
  dir: string
  name: string
  template: TemplateName
  capabilities: string[]
  /** Files written, relative to `dir`, with forward slashes, sorted. */
  files: string[]
}

/** Where a new project keeps the JSON Schema of its mielin.json (a copy, like the SDK types). */
const PROJECT_SCHEMA_FILE = 'types/mielin.schema.json'

/** Checks a name and says the rule when it is wrong. */
export function checkAgentName (name: string): string {
  if (!isAgentName(name)) {
    throw new InvalidArgumentError(`"${name}" is not a valid agent name: use ${AGENT_NAME_RULE}.`, undefined, {
      suggestions: [`For example: ${suggestName(name)}`]
    })
  }
  return name
}

export function checkTemplateName (template: string): TemplateName {
  if (!(TEMPLATE_NAMES as readonly string[]).includes(template)) throw InvalidArgumentError.choice('template', template, TEMPLATE_NAMES)
  return template as TemplateName
}

export function checkCapabilities (caps: string[]): string[] {
  const bad = caps.filter((c) => !isCapabilityName(c))
  if (bad.length > 0) {
    throw new InvalidArgumentError(`Unknown capabilit${bad.length === 1 ? 'y' : 'ies'}: ${bad.join(', ')}. Valid capabilities: log, kv, tensor, send:<agent-id>, send:*.`, undefined, {
      suggestions: ['For example: --cap log --cap kv --cap send:*']
    })
  }
  return [...new Set(caps)]
}

/** Creates an agent project from a template: sources, manifest, test steps, README, types. */
export async function scaffoldAgent (init: ScaffoldInit): Promise<ScaffoldResult> {
  throwIfAborted(init.signal)
  const name = checkAgentName(init.name)
  const template = checkTemplateName(init.template ?? 'basic')
  const info = TEMPLATES[template]
  const capabilities = checkCapabilities(init.capabilities ?? info.capabilities)
  const dir = path.resolve(init.cwd ?? process.cwd(), init.dir ?? name)
  await ensureWritable(dir, init.force === true)

  const manifest: AgentManifest = parseManifest({
    name, version: '0.1.0', description: info.description, capabilities, ...info.manifest
  })
  const files = new Map<string, Uint8Array | string>()
  for (const folder of ['_shared', template]) {
    const root = path.join(AGENT_TEMPLATES_DIR, folder)
    for (const rel of await listFiles(root)) {
      const target = rel.replace(/(^|\/)_gitignore$/, '$1.gitignore') // npm drops .gitignore files from packages
      const bytes = await readFile(path.join(root, rel))
      files.set(target, isText(rel) ? bytes.toString('utf8').replaceAll('{{name}}', name).replaceAll('{{description}}', info.description) : bytes)
    }
  }
  // `$schema` lets editors check and complete mielin.json; parseManifest ignores it.
  files.set('mielin.json', `${JSON.stringify({ $schema: `./${PROJECT_SCHEMA_FILE}`, ...manifest }, null, 2)}\n`)
  files.set(PROJECT_SCHEMA_FILE, await readFile(MANIFEST_SCHEMA_PATH))
  files.set('types/mielin-agent.d.ts', await sdkDeclarations())

  for (const [rel, content] of files) {
    throwIfAborted(init.signal)
    const file = path.join(dir, ...rel.split('/'))
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, content)
  }
  return { dir, name, template, capabilities, files: [...files.keys()].sort() }
}

async function ensureWritable (dir: string, force: boolean): Promise<void> {
  let entries: string[]
  try {
    if (!(await stat(dir)).isDirectory()) {
      throw new DirNotEmptyError(`${dir} exists and is not a directory.`, undefined, { suggestions: ['Choose another name or --dir.'] })
    }
    entries = await readdir(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  if (entries.length > 0 && !force) {
    throw new DirNotEmptyError(`${dir} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}), so no project was created there.`, undefined, {
      suggestions: ['Choose another name or --dir, or add --force to write the template files into it (files with the same names are replaced).']
    })
  }
}

async function sdkDeclarations (): Promise<string> {
  const file = sdkDeclarationFile()
  if (file === undefined) {
    throw new MielinError('The SDK declarations (dist/sdk/agent.d.ts) are missing from this mielin installation.', 'E_INTERNAL', {
      exitCode: ExitCode.internal,
      suggestions: ['Run `npm run build` in the mielin package, or reinstall mielin.']
    })
  }
  const text = await readFile(file, 'utf8')
  return `// The mielin/agent SDK's types, copied by \`mielin new agent\` so that editors resolve\n// 'mielin/agent' without installing anything (see tsconfig.json "paths"). The build\n// checks against the SDK of the mielin that runs it, so this copy is for editors only.\n${text.replace(/\n\/\/# sourceMappingURL=.*$/m, '')}`
}

async function listFiles (root: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(root, prefix), { withFileTypes: true })
  const nested = await Promise.all(entries.map(async (e) => {
    const rel = prefix === '' ? e.name : `${prefix}/${e.name}`
    return e.isDirectory() ? await listFiles(root, rel) : [rel]
  }))
  return nested.flat()
}

const isText = (file: string): boolean => /\.(ts|js|json|md|d\.ts)$|(^|\/)_gitignore$/.test(file)

function suggestName (name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '').slice(0, 63)
  return cleaned === '' ? 'my-agent' : cleaned
}
