import { schema } from '../mesh/index.js'

/** The control protocol over libp2p: operators from afar, a capability token with every call. */
export const CONTROL_PROTOCOL = '/mielin/control/1.0.0'

export const controlSchema = schema.object({
  token: schema.string({ min: 1, max: 4096 }),
  method: schema.string({ min: 1, max: 64 }),
  params: schema.json({ maxDepth: 8 })
})
