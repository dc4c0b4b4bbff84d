// Build failures a user can cause, each with its code, a file:line:col and a fix; all of them
// stop before componentize (which takes seconds), so these tests are fast.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { buildAgent, checkShape, type BuildStep } from '../../../src/runtime/build/index.js'

const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-build-errors-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))

let n = 0
async function project (files: Record<string, string>, manifest: unknown = { name: 'fixture', version: '0.1.0' }): Promise<string> {
  const dir = path.join(tmp, `p${++n}`)
  for (const [name, content] of Object.entries({ 'mielin.json': JSON.stringify(manifest), ...files })) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true })
    await writeFile(path.join(dir, name), content)
  }
  return dir
}

/** Builds and returns the error and the steps that started. */
async function fail (dir: string): Promise<{ err: Error, steps: BuildStep[] }> {
  const steps: BuildStep[] = []
  try {
    await buildAgent({ dir, onProgress: (p) => { if (p.phase === 'start') steps.push(p.step) } })
  } catch (err) {
    return { err: err as Error, steps }
  }
  throw new Error('the build succeeded')
}

const GOOD_HEAD = "import { defineAgent } from 'mielin/agent'\n"

t.test('a TypeScript error: E_AGENT_TYPESCRIPT with file:line:col, exit 3', async (t) => {
  const dir = await project({
    'src/agent.ts': `${GOOD_HEAD}export default defineAgent({\n  initialState: () => ({ count: 0 }),\n  onMessage (msg, ctx) {\n    ctx.state.count = 'many'\n  }\n})\n`
  })
  const { err, steps } = await fail(dir)
  t.match(err, { code: 'E_AGENT_TYPESCRIPT', exitCode: 3, suggestions: [/tsconfig/] })
  t.match(err.message, /TypeScript found 1 error:\n {2}src\/agent\.ts:5:5: TS2322: Type 'string' is not assignable to type 'number'\./)
  t.same(steps, ['typecheck'], 'stops before bundling')
})

t.test('no default export: E_AGENT_EXPORTS says how to fix it', async (t) => {
  const dir = await project({ 'src/agent.ts': `${GOOD_HEAD}export const agent = defineAgent({ onMessage () {} })\n` })
  const { err, steps } = await fail(dir)
  t.match(err, { code: 'E_AGENT_EXPORTS', exitCode: 3, message: /src\/agent\.ts has no default export/, suggestions: [/export default defineAgent\(\{/] })
  t.same(steps, ['typecheck'])

  const notAgent = await project({ 'src/agent.ts': 'export default { hello: 1 }\n' })
  t.match((await fail(notAgent)).err, { code: 'E_AGENT_EXPORTS', message: /default export of src\/agent\.ts is not an agent: .*onMessage/ })
})

t.test('forbidden and missing imports: E_AGENT_IMPORTS, before componentize', async (t) => {
  const nodeFs = await project({ 'src/agent.ts': `${GOOD_HEAD}import { readFileSync } from 'node:fs'\nexport default defineAgent({ onMessage () { return readFileSync('x', 'utf8') } })\n` })
  const a = await fail(nodeFs)
  t.match(a.err, { code: 'E_AGENT_IMPORTS', exitCode: 3, suggestions: [/Remove the import/] })
  t.match(a.err.message, /src\/agent\.ts:2:30: "node:fs" is a Node\.js module; agents run in a WebAssembly sandbox/)

  const bare = await project({ 'src/agent.ts': `${GOOD_HEAD}import _ from 'left-pad-nowhere'\nexport default defineAgent({ onMessage () { return _ } })\n` })
  const b = await fail(bare)
  t.match(b.err, { code: 'E_AGENT_IMPORTS', message: /"left-pad-nowhere" is not installed in this project/, suggestions: [/npm install left-pad-nowhere/] })
  t.same(b.steps, ['typecheck'])

  // Plain JavaScript is not type-checked, so the bundler catches the same mistakes.
  const js = await project({ 'src/agent.js': `${GOOD_HEAD}import fs from 'fs'\nimport { x } from 'mielin:agent/secret@0.1.0'\nexport default defineAgent({ onMessage () { return [fs, x] } })\n` })
  const c = await fail(js)
  t.match(c.err, { code: 'E_AGENT_IMPORTS' })
  t.match(c.err.message, /src\/agent\.js:2:16: "fs" is a Node\.js module[\s\S]*src\/agent\.js:3:19: "mielin:agent\/secret@0\.1\.0" is not an interface of the mielin:agent world/)
  t.same(c.steps, ['typecheck', 'bundle'], 'stops at the bundle step')

  const jsNoDefault = await project({ 'src/agent.js': 'export const x = 1\n' })
  t.match((await fail(jsNoDefault)).err, { code: 'E_AGENT_EXPORTS', message: /has no default export/ })
})

t.test('a project that is not one: E_NOT_FOUND / E_MANIFEST_INVALID', async (t) => {
  const empty = path.join(tmp, 'empty')
  await mkdir(empty)
  t.match((await fail(empty)).err, { code: 'E_NOT_FOUND', exitCode: 3, message: /has no mielin\.json/, suggestions: [/mielin new agent/] })
  t.match((await fail(await project({}))).err, { code: 'E_NOT_FOUND', message: /has no src\/agent\.ts/ })
  t.match((await fail(await project({ 'src/agent.ts': '' }, { name: 'Bad', version: '1' }))).err, { code: 'E_MANIFEST_INVALID', message: /mielin\.json: "name"/ })
  const badJson = await project({ 'src/agent.ts': '' })
  await writeFile(path.join(badJson, 'mielin.json'), '{ name: ')
  t.match((await fail(badJson)).err, { code: 'E_MANIFEST_INVALID', message: /not valid JSON/ })
})

t.test('a component that does not fit the world is named precisely', async (t) => {
  t.doesNotThrow(() => checkShape({ exports: ['init', 'onMessage', 'onMigrate'], imports: ['mielin:agent/host', 'mielin:agent/kv@0.1.0'] }))
  t.throws(() => checkShape({ exports: ['init', 'onMessage'], imports: [] }), { code: 'E_AGENT_EXPORTS', message: /does not export on-migrate/, suggestions: [/export default defineAgent/] })
  t.throws(() => checkShape({ exports: ['init', 'onMessage', 'onMigrate', 'extra'], imports: [] }), { code: 'E_AGENT_EXPORTS', message: /also exports extra/ })
  t.throws(() => checkShape({ exports: ['init', 'onMessage', 'onMigrate'], imports: ['wasi:filesystem/types@0.2.0'] }), { code: 'E_AGENT_IMPORTS', message: /imports wasi:filesystem\/types@0\.2\.0/ })
})
