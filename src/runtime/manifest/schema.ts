/**
 * The schema of `mielin.json`, one zod schema: `parseManifest` checks a manifest with it and
 * fills in the defaults, and `npm run schema` emits it as the JSON Schema editors use
 * (schema/mielin.schema.json). Keys it does not know are dropped, not refused, so that a
 * manifest written for a newer mielin still loads on an older node.
 */
import { z } from 'zod'
import type { ResourceLimitsSpec } from '../types/index.js'

export const DEFAULT_LIMITS: ResourceLimitsSpec = { memoryMb: 64, deadlineMs: 1000, mailbox: 1024 }
export const NAME = /^[a-z][a-z0-9-]{0,62}$/
export const CAP = /^(log|kv|tensor|send:(\*|[a-z][a-z0-9-]{0,62}))$/
const RESTART = ['always', 'on-failure', 'never'] as const
const ARCH = ['x86_64', 'aarch64', 'arm', 'riscv64'] as const
const CAPS_IN_WORDS = 'log, kv, tensor, send:<agent-id>, send:*'

/** A resource limit: a whole number ≥ 1, or the default when left out. */
const limit = (fallback: number, description: string): z.ZodDefault<z.ZodInt> =>
  z.int({ error: 'must be a whole number ≥ 1' }).min(1, { error: 'must be a whole number ≥ 1' }).default(fallback).meta({ description })

/** The manifest as written in `mielin.json`; parsing gives an `AgentManifest` with defaults filled in. */
export const manifestSchema = z.object({
  $schema: z.string().optional().meta({ description: 'The JSON Schema editors check this file against; mielin ignores it.' }),
  name: z.string({ error: 'must be lower-case letters, digits and dashes, starting with a letter' })
    .regex(NAME, { error: 'must be lower-case letters, digits and dashes, starting with a letter, at most 63 characters' })
    .meta({ description: 'The agent\'s name, also its id on the mesh.' }),
  version: z.string({ error: 'must be a non-empty string such as "0.1.0"' })
    .min(1, { error: 'must be a non-empty string such as "0.1.0"' })
    .meta({ description: 'The agent\'s version, such as "0.1.0".' }),
  description: z.string({ error: 'must be a string' }).optional().meta({ description: 'One line saying what the agent does.' }),
  capabilities: z.array(z.string({ error: `must be one of: ${CAPS_IN_WORDS}` }).regex(CAP, { error: `must be one of: ${CAPS_IN_WORDS}` }), { error: `must be a list of: ${CAPS_IN_WORDS}` })
    .default(['log'])
    .transform((caps) => [...new Set(caps)])
    .meta({ description: `What the agent may do: ${CAPS_IN_WORDS}. Default: ["log"].` }),
  limits: z.object({
    memoryMb: limit(DEFAULT_LIMITS.memoryMb, 'Linear memory cap, MiB.'),
    deadlineMs: limit(DEFAULT_LIMITS.deadlineMs, 'Deadline for handling one message, ms; a handler that runs longer is stopped.'),
    mailbox: limit(DEFAULT_LIMITS.mailbox, 'Mailbox capacity, messages; senders get E_MAILBOX_FULL beyond it.')
  }, { error: 'must be an object' }).prefault({}).meta({ description: 'What the agent may use.' }),
  placement: z.object({
    arch: z.enum(ARCH, { error: `must be one of ${ARCH.join(', ')}` }).optional(),
    simd: z.string({ error: 'must be a string' }).optional().meta({ description: 'A SIMD feature the node must have, e.g. "avx2", "avx512f", "neon", "sve".' }),
    gpu: z.boolean({ error: 'must be true or false' }).optional().meta({ description: 'Whether the node must have a GPU.' }),
    labels: z.record(z.string(), z.string({ error: 'must be a string' }), { error: 'must be an object of strings' }).optional()
      .meta({ description: 'Node labels that must match, e.g. { "region": "eu" }.' })
  }, { error: 'must be an object' }).default({}).meta({ description: 'Where the agent may run.' }),
  restart: z.enum(RESTART, { error: `must be one of ${RESTART.join(', ')}` }).default('on-failure')
    .meta({ description: 'When the node restarts the agent after it stops.' })
}, { error: 'must be a JSON object' }).meta({ title: 'mielin.json', description: 'The manifest of a mielin agent.' })
