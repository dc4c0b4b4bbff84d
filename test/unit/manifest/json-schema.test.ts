// The JSON Schema editors check mielin.json against: the committed file is what the zod schema
// emits (so it cannot go stale), and a new project's mielin.json points to it and passes it.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { z } from 'zod'
import { manifestJsonSchema } from '../../../src/runtime/manifest/json-schema.js'
import { parseManifest } from '../../../src/runtime/manifest/parse.js'
import { scaffoldAgent, TEMPLATE_NAMES } from '../../../src/runtime/build/index.js'
import { MANIFEST_SCHEMA_PATH } from '../../../src/runtime/build/paths.js'

const committed = JSON.parse(await readFile(MANIFEST_SCHEMA_PATH, 'utf8')) as Record<string, unknown>
// Read back as a JSON Schema (not the zod schema it came from), as an editor would.
const jsonSchema = z.fromJSONSchema(committed)

const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-schema-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))

t.test('schema/mielin.schema.json is what the manifest schema emits (run `npm run schema` if not)', async (t) => {
  t.same(committed, manifestJsonSchema())
  t.equal(committed.$schema, 'http://json-schema.org/draft-07/schema#')
  t.same(committed.required, ['name', 'version'], 'fields with defaults are optional in the file')
})

t.test('each template\'s mielin.json names the schema beside it and passes it', async (t) => {
  for (const template of TEMPLATE_NAMES) {
    const { dir } = await scaffoldAgent({ name: `schema-${template}`, template, cwd: tmp })
    const manifest = JSON.parse(await readFile(path.join(dir, 'mielin.json'), 'utf8')) as Record<string, unknown>
    t.equal(manifest.$schema, './types/mielin.schema.json', template)
    t.same(JSON.parse(await readFile(path.join(dir, manifest.$schema as string), 'utf8')), committed, `${template}: the project holds a copy of the schema`)
    t.ok(jsonSchema.safeParse(manifest).success, `${template}: mielin.json passes the JSON Schema`)
    t.notOk('$schema' in parseManifest(manifest), `${template}: parseManifest accepts and drops $schema`)
  }
})

t.test('the JSON Schema refuses what parseManifest refuses', async (t) => {
  const good = { name: 'ok', version: '0.1.0' }
  for (const bad of [{ name: 'Bad' }, { ...good, limits: { memoryMb: 0 } }, { ...good, capabilities: ['fs'] }, { ...good, restart: 'sometimes' }, { ...good, placement: { gpu: 'yes' } }]) {
    t.notOk(jsonSchema.safeParse(bad).success, JSON.stringify(bad))
    t.throws(() => parseManifest(bad), { code: 'E_MANIFEST_INVALID' })
  }
  t.ok(jsonSchema.safeParse(good).success)
})
