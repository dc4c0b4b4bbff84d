import { builtinModules } from 'node:module'
import path from 'node:path'
import type ts from 'typescript'
import { UnavailableError } from '../errors.js'
import { AgentExportsError, AgentImportsError, AgentTypeScriptError } from './errors.js'
import { ASSETS_TYPES_PATH, sdkTypes } from './paths.js'
import type { AgentProject } from './project.js'

/**
 * Type-checks the agent with the options of the template's tsconfig.json, `mielin/agent`
 * resolved to the SDK of this mielin. A virtual module checks that the default export is an
 * agent. Errors are sorted into three codes: imports that cannot work in an agent
 * (E_AGENT_IMPORTS), TypeScript errors (E_AGENT_TYPESCRIPT), a default export that is
 * missing or not an agent (E_AGENT_EXPORTS).
 */
export async function typecheckAgent (project: AgentProject): Promise<void> {
  const typescript = await loadTypeScript()
  const checkFile = path.join(project.dir, '__mielin_check__.ts')
  const entrySpecifier = `./${path.relative(project.dir, project.entry).split(path.sep).join('/').replace(/\.[mc]?[jt]s$/, '')}`
  const checkSource = [
    `import agent from '${entrySpecifier}'`,
    "import type { AgentDefinition } from 'mielin/agent'",
    'export const agentCheck: AgentDefinition<any, any> = agent',
    ''
  ].join('\n')

  const options: ts.CompilerOptions = {
    target: typescript.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    module: typescript.ModuleKind.ESNext,
    moduleResolution: typescript.ModuleResolutionKind.Bundler,
    resolveJsonModule: true,
    allowJs: true,
    checkJs: false,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    paths: { 'mielin/agent': [sdkTypes()] }
  }
  const host = typescript.createCompilerHost(options)
  const fileExists = host.fileExists.bind(host)
  const readFile = host.readFile.bind(host)
  const getSourceFile = host.getSourceFile.bind(host)
  host.fileExists = (f) => f === checkFile || fileExists(f)
  host.readFile = (f) => f === checkFile ? checkSource : readFile(f)
  host.getSourceFile = (f, lang, ...rest) => f === checkFile
    ? typescript.createSourceFile(f, checkSource, lang)
    : getSourceFile(f, lang, ...rest)

  const program = typescript.createProgram({ rootNames: [project.entry, checkFile, ASSETS_TYPES_PATH], options, host })
  const diagnostics = typescript.getPreEmitDiagnostics(program).filter((d) => d.category === typescript.DiagnosticCategory.Error)
  if (diagnostics.length === 0) return

  const where = (d: ts.Diagnostic): string => {
    if (d.file === undefined || d.start === undefined) return ''
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start)
    return `${path.relative(project.dir, d.file.fileName).split(path.sep).join('/')}:${line + 1}:${character + 1}: `
  }
  const text = (d: ts.Diagnostic): string => typescript.flattenDiagnosticMessageText(d.messageText, '\n')
  const inCheck = diagnostics.filter((d) => d.file?.fileName === checkFile)
  const inAgent = diagnostics.filter((d) => d.file?.fileName !== checkFile)
  const imports = inAgent.filter((d) => d.code === 2307 || d.code === 2792)
  const entryName = path.relative(project.dir, project.entry)

  if (imports.length > 0) {
    const lines = imports.map((d) => `${where(d)}${explainImport(specifierOf(d) ?? text(d))}`)
    throw new AgentImportsError(`The agent imports ${imports.length === 1 ? 'a module' : 'modules'} it cannot use:\n  ${lines.join('\n  ')}`, undefined, {
      suggestions: importFixes(imports.map((d) => specifierOf(d) ?? ''))
    })
  }
  if (inAgent.length > 0) {
    const lines = inAgent.map((d) => `${where(d)}TS${d.code}: ${text(d)}`)
    throw new AgentTypeScriptError(`TypeScript found ${inAgent.length} error${inAgent.length === 1 ? '' : 's'}:\n  ${lines.join('\n  ')}`, undefined, {
      suggestions: ['Fix the errors above (your editor shows them too: the project\'s tsconfig.json uses the same options).']
    })
  }
  const noDefault = inCheck.some((d) => d.code === 1192 || d.code === 2613 || d.code === 1259)
  throw new AgentExportsError(noDefault
    ? `${entryName} has no default export, so the agent exports neither init, on-message nor on-migrate.`
    : `The default export of ${entryName} is not an agent: ${inCheck.map(text).join(' ')}`, undefined, {
    suggestions: [`End ${entryName} with: export default defineAgent({ onMessage (msg, ctx) { … } })  (import { defineAgent } from 'mielin/agent')`]
  })
}

async function loadTypeScript (): Promise<typeof ts> {
  try {
    return (await import('typescript')).default
  } catch (err) {
    throw new UnavailableError('The TypeScript compiler is not installed, so the agent cannot be type-checked.', 'E_TYPESCRIPT_UNAVAILABLE', {
      suggestions: ['Install it beside mielin: npm install typescript'],
      cause: err
    })
  }
}

function specifierOf (d: ts.Diagnostic): string | undefined {
  if (d.file === undefined || d.start === undefined || d.length === undefined) return undefined
  return d.file.text.slice(d.start, d.start + d.length).replace(/^['"`]|['"`]$/g, '')
}

export function isNodeBuiltin (specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0] ?? '')
}

/** Why an import cannot be used, in words. */
export function explainImport (specifier: string): string {
  if (isNodeBuiltin(specifier)) return `"${specifier}" is a Node.js module; agents run in a WebAssembly sandbox without Node.js, files or network.`
  if (/^(mielin|wasi):/.test(specifier)) return `"${specifier}" is not an interface of the mielin:agent world; use ctx (log, send, request, kv, tensor) instead.`
  if (specifier.startsWith('.') || specifier.startsWith('/')) return `"${specifier}" does not exist.`
  return `"${specifier}" is not installed in this project, so it cannot be bundled into the agent.`
}

function importFixes (specifiers: string[]): string[] {
  const fixes = new Set<string>()
  for (const s of specifiers) {
    if (isNodeBuiltin(s) || /^(mielin|wasi):/.test(s)) fixes.add('Remove the import: an agent reaches the outside world only through ctx (log, send, request, kv, tensor).')
    else if (s.startsWith('.') || s.startsWith('/')) fixes.add(`Check the path "${s}".`)
    else fixes.add(`Install the package in the project (npm install ${s}) so the build can bundle it, or remove the import.`)
  }
  return [...fixes]
}
