import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { buildAgent, type BuildProgress } from '../build/index.js'
import { InvalidInputError, throwIfAborted } from '../errors.js'
import { runLocal } from './run.js'

/**
 * `mielin agent test`: builds the project if needed, runs the agent on a throw-away local
 * node, sends each step of test/agent.test.json as a request and checks the reply contains
 * what the step expects (objects match on the keys given; arrays and values exactly).
 */

export interface TestStep { send: unknown, expect?: unknown }
export interface StepResult { step: number, send: unknown, expect?: unknown, reply?: unknown, error?: string, pass: boolean }
export interface AgentTestReport { agent: string, passed: number, failed: number, steps: StepResult[] }

export async function testAgent (init: { dir: string, signal?: AbortSignal, onProgress?: (p: BuildProgress) => void, onStep?: (r: StepResult) => void }): Promise<AgentTestReport> {
  throwIfAborted(init.signal)
  const built = await buildAgent({ dir: init.dir, signal: init.signal, onProgress: init.onProgress })
  const steps = await readSteps(path.join(init.dir, 'test', 'agent.test.json'))
  const run = await runLocal({ files: [built.wasm], ephemeral: true, inputs: steps.map((s) => JSON.stringify(s.send)), signal: init.signal })
  const results = steps.map((s, i): StepResult => {
    const x = run.exchanges[i]
    const pass = x?.error === undefined && (s.expect === undefined || contains(x?.reply, s.expect))
    const r: StepResult = { step: i + 1, send: s.send, expect: s.expect, reply: x?.reply, ...(x?.error !== undefined ? { error: `${x.error.code}: ${x.error.message}` } : {}), pass }
    init.onStep?.(r)
    return r
  })
  const passed = results.filter((r) => r.pass).length
  return { agent: built.name, passed, failed: results.length - passed, steps: results }
}

async function readSteps (file: string): Promise<TestStep[]> {
  let steps: unknown
  try {
    steps = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    throw new InvalidInputError(`Cannot read the agent's tests from ${file}: ${(err as Error).message}`, 'E_AGENT_TESTS', {
      suggestions: ['Write test/agent.test.json as a list of { "send": <payload>, "expect": <part of the reply> } steps.']
    })
  }
  if (!Array.isArray(steps) || !steps.every((s) => typeof s === 'object' && s !== null && 'send' in s)) {
    throw new InvalidInputError(`${file} must be a list of { "send": …, "expect": … } steps.`, 'E_AGENT_TESTS')
  }
  return steps as TestStep[]
}

/** Whether `actual` has everything `expected` has: objects by key (recursively), the rest exactly. */
export function contains (actual: unknown, expected: unknown): boolean {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false
    return Object.entries(expected).every(([k, v]) => contains((actual as Record<string, unknown>)[k], v))
  }
  return JSON.stringify(actual) === JSON.stringify(expected)
}
