/**
 * Agents on a node of their own, in this process, with no mesh: `mielin agent run` (send
 * inputs, print replies and logs; state kept in the project's `.mielin/local`) and
 * `mielin agent test` (check an agent project's test steps, from a clean state each time).
 *
 * @example
 * ```ts
 * const r = await runLocal({ files: ['dist/hello.wasm'], inputs: ['{"n":1}'], ephemeral: true })
 * const report = await testAgent({ dir: 'hello' })
 * ```
 */
export { runLocal, type Exchange, type RunLocalInit, type RunLocalResult } from './run.js'
export { projectStateDir } from './state-dir.js'
export { contains, testAgent, type AgentTestReport, type StepResult, type TestStep } from './agent-tests.js'
