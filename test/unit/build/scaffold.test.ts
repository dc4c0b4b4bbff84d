// `mielin new agent` as a function: what it writes, what it refuses, and that the project's
// own tsconfig resolves `mielin/agent` (what an editor sees).
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import ts from 'typescript'
import { parseManifest } from '../../../src/runtime/manifest/parse.js'
import { scaffoldAgent, TEMPLATE_NAMES, TEMPLATES } from '../../../src/runtime/build/index.js'
import { AGENT_TEMPLATES_DIR, PACKAGE_ROOT } from '../../../src/runtime/build/paths.js'

const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-scaffold-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))

t.test('writes a complete project', async (t) => {
  const r = await scaffoldAgent({ name: 'hello', cwd: tmp })
  t.equal(r.dir, path.join(tmp, 'hello'))
  t.equal(r.template, 'basic')
  t.same(r.files, ['.gitignore', 'README.md', 'mielin.json', 'src/agent.ts', 'test/agent.test.json', 'tsconfig.json', 'types/mielin-agent.d.ts', 'types/mielin-assets.d.ts', 'types/mielin.schema.json'])
  const manifest = parseManifest(JSON.parse(await readFile(path.join(r.dir, 'mielin.json'), 'utf8')))
  t.match(manifest, { name: 'hello', version: '0.1.0', capabilities: ['log'], restart: 'on-failure', limits: { memoryMb: 64 } })
  t.match(await readFile(path.join(r.dir, 'README.md'), 'utf8'), /^# hello\n[\s\S]*dist\/hello\.wasm/)
  const ignored = (await readFile(path.join(r.dir, '.gitignore'), 'utf8')).split('\n').filter((l) => l !== '' && !l.startsWith('#'))
  t.same(ignored, ['dist/', 'node_modules/', '.mielin/', 'cluster.json', '*.key'], 'git leaves out the build, the state of agent run, and secrets')
  const types = await readFile(path.join(r.dir, 'types/mielin-agent.d.ts'), 'utf8')
  t.match(types, /export declare function defineAgent/)
  t.match(types, /declare global \{[\s\S]*interface Console \{[\s\S]*log\(\.\.\.parts: unknown\[\]\): void;[\s\S]*var console: Console;/, 'editors know console as the build does')
  const steps = JSON.parse(await readFile(path.join(r.dir, 'test/agent.test.json'), 'utf8')) as unknown[]
  t.ok(steps.length > 0 && steps.every((s) => typeof s === 'object' && s !== null && 'send' in s && 'expect' in s), 'test steps are {send, expect}')
})

t.test('capabilities, template and directory are taken from the init', async (t) => {
  const r = await scaffoldAgent({ name: 'router', template: 'relay', capabilities: ['log', 'send:vision', 'log'], dir: 'nested/router', cwd: tmp })
  t.equal(r.dir, path.join(tmp, 'nested', 'router'))
  t.same(r.capabilities, ['log', 'send:vision'], 'duplicates dropped')
  t.same((JSON.parse(await readFile(path.join(r.dir, 'mielin.json'), 'utf8')) as { capabilities: string[] }).capabilities, ['log', 'send:vision'])
  const tensor = await scaffoldAgent({ name: 'vision', template: 'tensor', cwd: tmp })
  t.ok(tensor.files.includes('src/tiny-mlp.onnx'))
  t.same(await readFile(path.join(tensor.dir, 'src/tiny-mlp.onnx')), await readFile(path.join(PACKAGE_ROOT, 'templates/models/tiny-mlp.onnx')), 'binary files are copied as they are')
  t.same(tensor.capabilities, TEMPLATES.tensor.capabilities)
})

t.test('wrong names, templates and capabilities say what is allowed', async (t) => {
  await t.rejects(scaffoldAgent({ name: 'Hello World', cwd: tmp }), {
    code: 'E_INVALID_ARG', exitCode: 2, message: /"Hello World" is not a valid agent name: use lower-case letters, digits and dashes, starting with a letter/, suggestions: [/hello-world/]
  })
  await t.rejects(scaffoldAgent({ name: '1st', cwd: tmp }), { code: 'E_INVALID_ARG' })
  await t.rejects(scaffoldAgent({ name: 'ok', template: 'fancy', cwd: tmp }), { code: 'E_INVALID_ARG', message: 'Unknown template "fancy". Valid templates: basic, tensor, relay.' })
  await t.rejects(scaffoldAgent({ name: 'ok', capabilities: ['fs', 'kv'], cwd: tmp }), { code: 'E_INVALID_ARG', message: /Unknown capability: fs\. Valid capabilities: log, kv, tensor, send:<agent-id>, send:\*/ })
  t.notOk((await readdir(tmp)).includes('ok'), 'nothing written on a usage error')
})

t.test('refuses a non-empty directory unless forced', async (t) => {
  const dir = path.join(tmp, 'busy')
  await mkdir(dir)
  await writeFile(path.join(dir, 'notes.txt'), 'mine')
  await t.rejects(scaffoldAgent({ name: 'busy', cwd: tmp }), { code: 'E_DIR_NOT_EMPTY', exitCode: 2, message: /is not empty/, suggestions: [/--force/] })
  t.same(await readdir(dir), ['notes.txt'])
  const r = await scaffoldAgent({ name: 'busy', cwd: tmp, force: true })
  t.ok(r.files.length > 0)
  t.equal(await readFile(path.join(dir, 'notes.txt'), 'utf8'), 'mine', '--force keeps other files')
  await mkdir(path.join(tmp, 'empty'))
  t.ok(await scaffoldAgent({ name: 'empty', cwd: tmp }), 'an empty directory is fine')
  await writeFile(path.join(tmp, 'afile'), '')
  await t.rejects(scaffoldAgent({ name: 'afile', cwd: tmp }), { code: 'E_DIR_NOT_EMPTY', message: /not a directory/ })
})

t.test('every template folder is listed, and every listed template exists', async (t) => {
  const folders = (await readdir(AGENT_TEMPLATES_DIR)).filter((f) => !f.startsWith('_')).sort()
  t.same(folders, [...TEMPLATE_NAMES].sort())
})

t.test('each template type-checks with its own tsconfig.json, as in an editor', async (t) => {
  for (const template of TEMPLATE_NAMES) {
    const { dir } = await scaffoldAgent({ name: `editor-${template}`, template, cwd: tmp })
    const config = ts.getParsedCommandLineOfConfigFile(path.join(dir, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')) } })
    if (config === undefined) throw new Error('no config')
    const program = ts.createProgram({ rootNames: config.fileNames, options: config.options })
    const errors = ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
    t.same(errors, [], `${template}: no errors; mielin/agent resolves to types/mielin-agent.d.ts`)
    const resolved = program.getSourceFiles().map((f) => path.relative(dir, f.fileName)).filter((f) => !f.startsWith('..'))
    t.ok(resolved.includes(path.join('types', 'mielin-agent.d.ts')), `${template}: ${resolved.join(', ')}`)
  }
})
