import type { AgentManifest } from '../types/index.js'

/** The project templates of `mielin new agent`; each is a folder in templates/agent/. */
export const TEMPLATE_NAMES = ['basic', 'tensor', 'relay'] as const
export type TemplateName = typeof TEMPLATE_NAMES[number]

export interface TemplateInfo {
  /** One line, shown by the prompt and written to the manifest's description. */
  description: string
  /** Capabilities the template needs; pre-checked in the prompt. */
  capabilities: string[]
  /** A message to try it with (JSON), shown in the next steps. */
  example: string
  /** Manifest fields other than name, version, description and capabilities. */
  manifest: Pick<AgentManifest, 'limits' | 'placement' | 'restart'>
}

const limits = { memoryMb: 64, deadlineMs: 1000, mailbox: 1024 }

export const TEMPLATES: Record<TemplateName, TemplateInfo> = {
  basic: {
    description: 'Counts the messages it gets and replies with the count; the count survives restarts and migrations.',
    capabilities: ['log'],
    example: '{"n":1}',
    manifest: { limits, placement: {}, restart: 'on-failure' }
  },
  tensor: {
    description: 'Classifies a row of 4 numbers with a tiny MLP, in code and as an ONNX model, through the tensor host functions.',
    capabilities: ['log', 'tensor'],
    example: '{"x":[[1,2,3,4]]}',
    manifest: { limits: { ...limits, memoryMb: 128 }, placement: {}, restart: 'on-failure' }
  },
  relay: {
    description: 'Forwards a payload to another agent as a request and relays the reply back to whoever asked.',
    capabilities: ['log', 'send:*'],
    example: '{}',
    manifest: { limits, placement: {}, restart: 'on-failure' }
  }
}

/** Capabilities offered by the prompt, besides the template's own. */
export const COMMON_CAPABILITIES = ['log', 'kv', 'tensor', 'send:*']
