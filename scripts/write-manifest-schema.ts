// `npm run schema`: writes schema/mielin.schema.json from the manifest's zod schema.
// test/unit/manifest/json-schema.test.ts fails when the committed file is stale.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { manifestJsonSchema } from '../src/runtime/manifest/json-schema.js'
import { MANIFEST_SCHEMA_PATH } from '../src/runtime/build/paths.js'

await mkdir(path.dirname(MANIFEST_SCHEMA_PATH), { recursive: true })
await writeFile(MANIFEST_SCHEMA_PATH, `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`)
console.log(`wrote ${path.relative(process.cwd(), MANIFEST_SCHEMA_PATH)}`)
