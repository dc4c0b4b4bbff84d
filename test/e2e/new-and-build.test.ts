// `mielin new agent` then `mielin agent build`, as a user types them, and the built
// components run through jco against a stub host. Each template is componentized once.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { readManifest } from '../../src/runtime/manifest/section.js'
import { jsonError, mielin } from '../helpers/cli.js'
import { envelope, failure, loadComponent, stubHost, type StubTensor } from '../helpers/agent-stub-host.js'

t.setTimeout(480_000) // three componentize runs on a shared 2-core machine
const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-e2e-agent-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))
const BUILD_TIMEOUT = 240_000

async function steps (dir: string): Promise<Array<{ send: unknown, expect: unknown }>> {
  return JSON.parse(await readFile(path.join(dir, 'test/agent.test.json'), 'utf8')) as Array<{ send: unknown, expect: unknown }>
}

t.test('new agent → agent build → up to date; the directory is then refused', async (t) => {
  const created = await mielin(['new', 'agent', 'hello', '--template', 'basic', '--yes'], { cwd: tmp })
  t.equal(created.exitCode, 0, created.stderr)
  t.match(created.stdout, /Created hello from the basic template in hello: /)
  t.match(created.stdout, /Next steps:\n {2}cd hello\n {2}mielin agent build\n {2}mielin agent run dist\/hello\.wasm --send '\{"n":1\}'\n/)
  const dir = path.join(tmp, 'hello')
  const viaNpx = await mielin(['new', 'agent', 'hi', '--yes'], { cwd: tmp, env: { npm_command: 'exec' } })
  t.match(viaNpx.stdout, /\n {2}npx mielin agent build\n/, 'typed through npx, the next steps are too')
  await rm(path.join(tmp, 'hi'), { recursive: true, force: true })

  const built = await mielin(['agent', 'build'], { cwd: dir, timeout: BUILD_TIMEOUT })
  t.equal(built.exitCode, 0, built.stderr)
  for (const step of ['typecheck', 'bundle', 'componentize', 'validate']) t.match(built.stderr, new RegExp(`✓ ${step}\\s+\\d+\\.\\d s`), `step ${step} on stderr`)
  t.match(built.stdout, /^Built dist\/hello\.wasm \(\d+\.\d MiB\) in \d+\.\d s; manifest in dist\/hello\.manifest\.json\.$/)

  const wasm = await readFile(path.join(dir, 'dist/hello.wasm'))
  // mielin.json names its JSON Schema for editors; the manifest built into the component leaves that out
  const { $schema, ...manifest } = JSON.parse(await readFile(path.join(dir, 'mielin.json'), 'utf8')) as Record<string, unknown>
  t.equal($schema, './types/mielin.schema.json', 'the project\'s mielin.json points editors at its schema')
  t.same(readManifest(wasm), manifest, 'the manifest is embedded in the component')
  t.same(JSON.parse(await readFile(path.join(dir, 'dist/hello.manifest.json'), 'utf8')), manifest)

  const again = await mielin(['agent', 'build'], { cwd: dir })
  t.equal(again.exitCode, 0, again.stderr)
  t.match(again.stdout, /dist\/hello\.wasm is up to date/)
  t.notMatch(again.stderr, /componentize/)
  const againJson = await mielin(['agent', 'build', dir, '--json'], { cwd: tmp })
  t.match(JSON.parse(againJson.stdout), { name: 'hello', wasm: path.join(dir, 'dist/hello.wasm'), bytes: wasm.length, skipped: true })

  // On the real runtime, as the README says: the answer, then the state kept across runs
  // (in the project's .mielin/), and the test steps from a clean state.
  const first = await mielin(['agent', 'run', 'dist/hello.wasm', '--send', '{"n":1}'], { cwd: dir })
  t.equal(first.exitCode, 0, first.stderr)
  t.equal(first.stdout.trim(), '{"count":1}')
  const second = await mielin(['agent', 'run', 'dist/hello.wasm', '--send', '{"n":1}'], { cwd: dir })
  t.equal(second.stdout.trim(), '{"count":2}', 'a second message shows the state was kept')
  const tested = await mielin(['agent', 'test'], { cwd: dir })
  t.equal(tested.exitCode, 0, tested.stdout + tested.stderr)
  t.match(tested.stdout, /3 passed, 0 failed/)

  const refused = await mielin(['new', 'agent', 'hello', '--yes'], { cwd: tmp })
  t.equal(refused.exitCode, 2)
  t.match(refused.stderr, /is not empty[\s\S]*Code: E_DIR_NOT_EMPTY\nTry this: .*--force/)

  // The component itself: its test steps, and its state across a migration.
  const host = stubHost()
  const agent = await loadComponent(wasm, host)
  agent.init()
  for (const step of await steps(dir)) t.has(JSON.parse(agent.onMessage(envelope(step.send)) ?? 'null'), step.expect, `send ${JSON.stringify(step.send)}`)
  const moved = await loadComponent(wasm, stubHost())
  moved.init(agent.onMigrate())
  t.equal(moved.onMessage(envelope({ n: 3 })), '{"count":10}', 'the count continues after on-migrate → init')
  t.match(host.logs, [['info', /starts at count 0/]])
})

t.test('tensor and relay templates build into components that pass their steps', async (t) => {
  for (const template of ['tensor', 'relay']) {
    const created = await mielin(['new', 'agent', template, '--template', template, '--yes', '--json'], { cwd: tmp })
    t.equal(created.exitCode, 0, created.stderr)
    const { dir, files } = JSON.parse(created.stdout) as { dir: string, files: string[] }
    t.ok(files.includes('src/agent.ts'))
    const built = await mielin(['agent', 'build', '--json'], { cwd: dir, timeout: BUILD_TIMEOUT })
    t.equal(built.exitCode, 0, built.stderr)
    const result = JSON.parse(built.stdout) as { wasm: string, skipped: boolean }
    t.equal(result.skipped, false)
    const wasm = await readFile(result.wasm)

    // The stub's tensors echo the model's input, so the ONNX step is checked for shape only here.
    const echo = (inputs: Record<string, StubTensor>): Record<string, StubTensor> => ({ y: { data: new Float32Array((inputs.x?.shape[0] ?? 0) * 3).fill(1 / 3), shape: [inputs.x?.shape[0] ?? 0, 3] } })
    const host = stubHost({ capabilities: ['log', 'tensor', 'send:counter'], runModel: echo })
    const agent = await loadComponent(wasm, host)
    agent.init()
    for (const step of await steps(dir)) {
      const expect = (step.send as { engine?: string }).engine === 'onnx' ? { engine: 'onnx', shape: [1, 3] } : step.expect
      t.has(JSON.parse(agent.onMessage(envelope(step.send)) ?? 'null'), expect, `${template}: send ${JSON.stringify(step.send)}`)
    }
    // The real runtime: the template's own steps through `mielin agent test` (real tensor engine).
    const tested = await mielin(['agent', 'test'], { cwd: dir })
    t.equal(tested.exitCode, 0, tested.stdout + tested.stderr)
    t.match(tested.stdout, /3 passed, 0 failed/, `${template}: agent test`)
    if (template === 'relay') {
      // Relay to the hello agent of the first test, and get its answer back.
      const relayed = await mielin(['agent', 'run', 'dist/relay.wasm', path.join(tmp, 'hello/dist/hello.wasm'), '--ephemeral', '--send', '{"to":"hello","payload":{"n":2}}'], { cwd: dir })
      t.equal(relayed.exitCode, 0, relayed.stderr)
      t.match(relayed.stdout, /"forwarded":true[\s\S]*from relay: \{"relayed":\{"count":2\},"from":"hello"/)
    }
    if (template === 'relay') {
      // Inside the engine, a host error is an AgentHostError with the host's code.
      t.match(JSON.parse(agent.onMessage(envelope({ to: 'vault' })) ?? ''), { forwarded: false, error: 'E_CAP_DENIED' })
      t.match(JSON.parse(agent.onMessage(envelope({ to: 'counter' })) ?? ''), { forwarded: true })
    } else {
      t.match(failure(() => agent.onMessage(envelope({ x: 'nope' }))), /^E_BAD_INPUT: /, 'an AgentError fails the message with its code')
      t.equal(host.tensors.size, 4, 'only the weights stay on the host')
    }
  }
})

t.test('mistakes are reported with codes and exit codes', async (t) => {
  const badName = await mielin(['new', 'agent', 'Hello_World', '--yes'], { cwd: tmp })
  t.equal(badName.exitCode, 2)
  t.match(badName.stderr, /not a valid agent name: use lower-case letters, digits and dashes[\s\S]*Code: E_INVALID_ARG/)

  const created = await mielin(['new', 'agent', 'broken', '--yes'], { cwd: tmp })
  t.equal(created.exitCode, 0, created.stderr)
  const dir = path.join(tmp, 'broken')
  await writeFile(path.join(dir, 'src/agent.ts'), "import { defineAgent } from 'mielin/agent'\nexport default defineAgent({ onMessage (msg, ctx) { return ctx.state.nope.deeper } })\n")
  const ts = await mielin(['agent', 'build'], { cwd: dir })
  t.equal(ts.exitCode, 3)
  t.match(ts.stderr, /src\/agent\.ts:2:\d+: TS\d+: [\s\S]*Code: E_AGENT_TYPESCRIPT/)
  const json = await mielin(['agent', 'build', '--json'], { cwd: dir })
  t.equal(jsonError(json.stdout).code, 'E_AGENT_TYPESCRIPT')

  const notProject = await mielin(['agent', 'build'], { cwd: tmp })
  t.equal(notProject.exitCode, 3)
  t.match(notProject.stderr, /no mielin\.json[\s\S]*Code: E_NOT_FOUND/)
})
