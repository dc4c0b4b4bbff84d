import { z } from 'zod'
import { manifestSchema } from './schema.js'

/**
 * The JSON Schema of `mielin.json` that editors check a manifest against, emitted from the zod
 * schema `parseManifest` uses, so the two cannot disagree. It describes the file as written
 * (fields with defaults are optional). Draft-07, the draft editors support best.
 * `npm run schema` writes it to schema/mielin.schema.json.
 */
export function manifestJsonSchema (): Record<string, unknown> {
  return z.toJSONSchema(manifestSchema, { io: 'input', target: 'draft-07' })
}
