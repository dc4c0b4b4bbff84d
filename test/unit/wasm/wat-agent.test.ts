// The hand-written echo agent (test/fixtures/agents/echo.wat): a component of the `agent` world
// made without componentize-js. It pins down the canonical ABI of the world and the JS calling
// convention of jco's sync glue, which the WebAssembly host relies on.
import t from 'tap'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { componentWit, transpile } from '@bytecodealliance/jco'
import { AGENT_WIT, ECHO_WASM, ECHO_WAT, buildWatAgent } from '../../../scripts/build-wat-agent.js'
import { capMemory } from '../../../src/runtime/wasm/memory-limit.js'

// The slice of the WebAssembly JS API used here (the project's lib has no wasm types).
interface CoreInstance { exports: Record<string, unknown> }
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports?: object) => CoreInstance
  RuntimeError: new (message?: string) => Error
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

/** `envelope` as jco's glue takes it: camelCase fields, u64 as bigint, option as undefined. */
interface Envelope {
  id: string
  from: string
  to: string
  seq: bigint
  kind: string
  payload: string
  replyTo?: string
  trace?: string
}
interface AgentExports {
  init: (state: Uint8Array | undefined) => void
  onMessage: (msg: Envelope) => string | undefined
  onMigrate: () => Uint8Array
}
interface Glue {
  instantiate: (
    getCoreModule: (name: string) => object,
    imports: Record<string, Record<string, unknown>>,
    instantiateCore?: (module: object, imports?: object) => CoreInstance
  ) => AgentExports
}

const component = new Uint8Array(await readFile(ECHO_WASM))
const { files, imports: glueImports, exports: glueExports } = await transpile(component, { name: 'echo', instantiation: 'sync', noTypescript: true })
const dir = await mkdtemp(path.join(tmpdir(), 'mielin-echo-'))
t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }')
const glueJs = files['echo.js']
if (glueJs === undefined) throw new Error(`jco produced no echo.js: ${Object.keys(files).join(', ')}`)
await writeFile(path.join(dir, 'echo.js'), glueJs)
const glue = await import(pathToFileURL(path.join(dir, 'echo.js')).href) as Glue
const coreNames = Object.keys(files).filter((name) => name.endsWith('.wasm'))

const message = (seq: number, payload: string): Envelope =>
  ({ id: String(seq), from: 'cli', to: 'echo', seq: BigInt(seq), kind: 'request', payload, replyTo: undefined, trace: undefined })

/** One echo instance, its core modules capped at `maxPages`, and what it logged. */
function start (maxPages = 1024, onLog?: (level: string, text: string) => void): { agent: AgentExports, logs: Array<[string, string]>, memory: () => ArrayBuffer } {
  const logs: Array<[string, string]> = []
  const denied = (): never => {
    // jco turns an Error with a `payload` (or any non-Error value) into the import's err value.
    throw Object.assign(new Error('E_CAP_DENIED: no send capability'), { payload: 'E_CAP_DENIED: no send capability' })
  }
  const imports = {
    'mielin:agent/host': {
      log: (level: string, text: string) => { onLog?.(level, text); logs.push([level, text]) },
      selfId: () => 'echo-1',
      nowMs: () => BigInt(Date.now()),
      send: denied,
      request: denied
    },
    // Not imported by echo (the component only imports what its core module uses); harmless.
    'mielin:agent/kv': {},
    'mielin:agent/tensor': {}
  }
  const modules = new Map(coreNames.map((name) => [name, new WA.Module(capMemory(files[name], maxPages).bytes)]))
  const instances: CoreInstance[] = []
  const agent = glue.instantiate(
    (name) => modules.get(name) as object,
    imports,
    (module, imports) => { const i = new WA.Instance(module, imports); instances.push(i); return i }
  )
  const memory = (): ArrayBuffer => {
    const exported = instances.map((i) => i.exports.memory).find((m) => m !== undefined) as { buffer: ArrayBuffer }
    return exported.buffer
  }
  return { agent, logs, memory }
}

t.test('echo.wasm is what scripts/build-wat-agent.ts makes of echo.wat', async (t) => {
  const rebuilt = await buildWatAgent(await readFile(ECHO_WAT, 'utf8'), await readFile(AGENT_WIT, 'utf8'))
  t.ok(Buffer.from(rebuilt).equals(Buffer.from(component)), 'byte for byte; if not, run `npx tsx scripts/build-wat-agent.ts`')
  const wit = await componentWit(component)
  t.match(wit, /export init: func\(state: option<list<u8>>\) -> result<_, string>;/)
  t.match(wit, /export on-message: func\(msg: envelope\) -> result<option<string>, string>;/)
  t.match(wit, /export on-migrate: func\(\) -> list<u8>;/)
  t.match(wit, /import mielin:agent\/host@0\.1\.0;/)
  t.notMatch(wit, /on-batch/, 'the optional on-batch is left out on purpose: nodes must run such components')
})

t.test('jco glue: what it imports and exports', async (t) => {
  t.same(glueImports, ['mielin:agent/host'], 'only the interfaces the core module uses, without @version')
  t.same(glueExports, [['init', 'function'], ['onMessage', 'function'], ['onMigrate', 'function']])
  t.same(coreNames.sort(), ['echo.core.wasm', 'echo.core2.wasm', 'echo.core3.wasm'])
  const capped = coreNames.map((name) => [name, capMemory(files[name], 160).memories] as const)
  t.same(capped, [
    ['echo.core.wasm', [{ index: 0, initialPages: 1, maxPages: 160 }]], // echo.wat's own memory
    ['echo.core2.wasm', []], // the shim: a table of import trampolines
    ['echo.core3.wasm', []] // the fixup that fills the shim's table
  ])
})

t.test('echo replies with the payload, counts messages, and carries the count across a migration', async (t) => {
  const first = start()
  t.equal(first.agent.init(undefined), undefined, 'init(none) → ok(): returns undefined')
  t.same(first.logs, [['info', 'echo agent started as echo-1']], 'log and self-id went through the host imports')
  t.equal(first.agent.onMessage(message(1, '{"n":1}')), '{"n":1}', 'ok(some(payload)) → the string')
  t.equal(first.agent.onMessage(message(2, '{"text":"grüß 🦀"}')), '{"text":"grüß 🦀"}', 'UTF-8 both ways')
  t.same(first.logs.slice(1), [['debug', '{"n":1}'], ['debug', '{"text":"grüß 🦀"}']])
  const state = first.agent.onMigrate()
  t.ok(state instanceof Uint8Array, 'list<u8> → Uint8Array')
  t.same([...state], [2, 0, 0, 0], 'the count, little-endian')

  const second = start()
  second.agent.init(state)
  t.same([...second.agent.onMigrate()], [2, 0, 0, 0], 'a fresh instance resumes at 2')
  second.agent.onMessage({ ...message(3, '{}'), kind: 'message', replyTo: 'x', trace: '00-abc-def-01' })
  t.same([...second.agent.onMigrate()], [3, 0, 0, 0])
  second.agent.init(new Uint8Array(0))
  t.same([...second.agent.onMigrate()], [0, 0, 0, 0], 'init(some([])) starts over')
})

t.test('an err result is thrown as an Error whose message and payload are the string', async (t) => {
  const { agent } = start()
  agent.init(undefined)
  const err = t.throws(() => agent.onMessage(message(1, ''))) as Error & { payload?: unknown }
  t.equal(err.message, 'echo: empty payload')
  t.equal(err.payload, 'echo: empty payload')
  t.equal(err.constructor.name, 'ComponentError')
  t.equal(agent.onMessage(message(2, 'still here')), 'still here', 'an err is not a trap: the instance goes on')
  t.throws(() => { agent.init(new Uint8Array([1, 2, 3])) }, { message: 'echo: state must be 4 bytes' })
})

t.test('the heap is freed after every call: memory stays flat', async (t) => {
  const { agent, memory } = start()
  agent.init(undefined)
  const payload = 'x'.repeat(40_000)
  agent.onMessage(message(1, payload))
  const size = memory().byteLength
  for (let i = 2; i <= 200; i++) agent.onMessage(message(i, payload))
  t.equal(memory().byteLength, size, `200 messages of 40 kB, still ${size / 65536} pages`)
  t.same([...agent.onMigrate()], [200, 0, 0, 0])
})

t.test('past its memory cap the agent traps with a WebAssembly.RuntimeError', async (t) => {
  const { agent } = start(2) // 128 KiB
  agent.init(undefined)
  t.equal(agent.onMessage(message(1, 'y'.repeat(50_000))), 'y'.repeat(50_000), '50 kB fits')
  t.throws(() => agent.onMessage(message(2, 'z'.repeat(200_000))), WA.RuntimeError, '200 kB cannot: cabi_realloc hits unreachable')
  // jco poisons an instance only when a RuntimeError escapes the core call itself, not when the
  // trap happens while the glue lowers the arguments (as here): the host drops it itself.
})

t.test('a host import that throws an Error traps the call; the Error comes out as is', async (t) => {
  const boom = new Error('host failure')
  const { agent } = start(1024, (level) => { if (level === 'debug') throw boom })
  agent.init(undefined)
  t.equal(t.throws(() => agent.onMessage(message(1, 'hi'))), boom, 'not wrapped in a ComponentError')
  // jco marks an instance trapped only for a WebAssembly.RuntimeError, so this one stays
  // callable: the host decides, and drops an instance after any error that is not a ComponentError.
})
