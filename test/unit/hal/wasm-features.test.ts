import t from 'tap'
import { probeWasmFeatures } from '../../../src/runtime/hal/index.js'
import { WASM_PROBES } from '../../../src/runtime/hal/wasm-features.js'

t.test('this Node (22) has wasm SIMD and exception handling', async (t) => {
  const wasm = probeWasmFeatures()
  t.equal(wasm.simd, true)
  t.equal(wasm.exceptions, true)
  t.equal(wasm.threads, true, 'shared memory and atomics')
  t.equal(wasm.relaxedSimd, true, 'shipped in V8 11.4, before Node 22')
  t.type(wasm.memory64, 'boolean')
})

t.test('each probe module is well-formed apart from its feature', async (t) => {
  const wa = (globalThis as unknown as { WebAssembly: { validate: (b: Uint8Array) => boolean } }).WebAssembly
  for (const [name, bytes] of Object.entries(WASM_PROBES)) {
    t.equal(wa.validate(new Uint8Array(bytes.slice(0, -1))), false, `${name}: cutting the last byte breaks it`)
  }
  const broken = [...WASM_PROBES.simd]
  broken[broken.length - 18] = 0xff // an opcode that does not exist after the 0xfd prefix
  t.equal(wa.validate(new Uint8Array(broken)), false, 'an unknown SIMD opcode is rejected')
})

t.test('an engine without WebAssembly, or one that rejects a feature', async (t) => {
  t.same(probeWasmFeatures(null), { simd: false, relaxedSimd: false, threads: false, memory64: false, exceptions: false })
  const noSimd = { validate: (b: Uint8Array) => !Buffer.from(b).includes(0xfd) }
  const wasm = probeWasmFeatures(noSimd)
  t.equal(wasm.simd, false)
  t.equal(wasm.relaxedSimd, false)
  t.equal(wasm.exceptions, true)
  t.same(probeWasmFeatures({ validate: () => { throw new Error('boom') } }).simd, false, 'a throwing engine counts as no')
})
