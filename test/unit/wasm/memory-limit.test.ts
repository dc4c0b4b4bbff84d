import t, { type Test } from 'tap'
import { parse } from '@bytecodealliance/jco'
import { capMemory, pagesForMb } from '../../../src/runtime/wasm/memory-limit.js'
import { readSections } from '../../../src/runtime/wasm/wasm-sections.js'
import { MielinError } from '../../../src/runtime/errors.js'

// The slice of the WebAssembly JS API these tests use (the project's lib has no wasm types).
interface Instance { exports: Record<string, unknown> }
interface WasmApi {
  validate: (bytes: Uint8Array) => boolean
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports?: object) => Instance
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
/** A module of nothing but a memory section holding these limits bytes. */
const memoryModule = (...limits: number[]): Uint8Array =>
  new Uint8Array([...HEADER, 0x05, limits.length + 1, 0x01, ...limits])
/** The memory section's content bytes (after count) of a module. */
const memoryLimits = (bytes: Uint8Array): number[] => {
  const section = readSections(bytes).find((s) => s.id === 5)
  return section === undefined ? [] : [...bytes.subarray(section.contentStart + 1, section.end)]
}

const GROW = `
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))`

/** The MielinError `fn` throws; fails the test when it throws nothing or something else. */
const thrown = (t: Test, fn: () => unknown): MielinError => {
  try {
    fn()
  } catch (err) {
    if (err instanceof MielinError) return err
    t.fail(`expected a MielinError, got ${String(err)}`)
    throw err
  }
  t.fail('expected a MielinError, nothing was thrown')
  throw new Error('did not throw')
}

const expectInvalid = (t: Test, bytes: Uint8Array, what: RegExp): void => {
  const e = thrown(t, () => capMemory(bytes, 16))
  t.equal(e.code, 'E_WASM_INVALID')
  t.equal(e.exitCode, 3)
  t.match(e.message, what)
  t.match(e.suggestions.join(' '), /mielin agent build/)
}

t.test('a memory without a maximum gets the cap as its maximum', async (t) => {
  const { bytes, memories } = capMemory(await parse('(module (memory 1))'), 16)
  t.same(memories, [{ index: 0, initialPages: 1, maxPages: 16 }])
  t.same(memoryLimits(bytes), [0x01, 0x01, 0x10], 'flags 1 (min + max), min 1, max 16')
  t.ok(WA.validate(bytes))
})

t.test('a maximum above the cap comes down to it; one below the cap stays', async (t) => {
  const high = capMemory(await parse('(module (memory 1 100))'), 16)
  t.same(high.memories, [{ index: 0, initialPages: 1, maxPages: 16, previousMax: 100 }])
  t.same(memoryLimits(high.bytes), [0x01, 0x01, 0x10])
  const low = capMemory(await parse('(module (memory 1 8))'), 16)
  t.same(low.memories, [{ index: 0, initialPages: 1, maxPages: 8, previousMax: 8 }])
  t.same(memoryLimits(low.bytes), [0x01, 0x01, 0x08])
})

t.test('a memory that needs more than the cap at start is refused with E_QUOTA', async (t) => {
  t.throws(() => capMemory(memoryModule(0x00, 0x02), 1), { code: 'E_QUOTA', exitCode: 5 }, '(memory 2) with cap 1')
  const e = thrown(t, () => capMemory(memoryModule(0x00, 0x20), pagesForMb(1)))
  t.equal(e.code, 'E_QUOTA')
  t.equal(e.message, 'The agent needs 2 MiB of memory at start but its limit is 1 MiB; raise limits.memoryMb in mielin.json.')
  t.match(e.suggestions[0], /"memoryMb": 2/)
  t.same(capMemory(memoryModule(0x00, 0x10), 16).memories[0]?.maxPages, 16, 'exactly the cap is fine')
})

t.test('LEB sizes are re-encoded when the limits grow or shrink', async (t) => {
  // Cap 65536 pages needs a 3-byte LEB where the module had none; the section grows by 4 bytes.
  const big = capMemory(await parse('(module (memory 1) (func (export "f") (result i32) (i32.const 7)))'), 65536)
  t.same(memoryLimits(big.bytes), [0x01, 0x01, 0x80, 0x80, 0x04])
  t.ok(WA.validate(big.bytes))
  const instance = new WA.Instance(new WA.Module(big.bytes))
  t.equal((instance.exports.f as () => number)(), 7, 'the code after the memory section still runs')
  // A max of 65536 (3 bytes) capped to 16 (1 byte): the section shrinks.
  const small = capMemory(await parse('(module (memory 1 65536))'), 16)
  t.same(memoryLimits(small.bytes), [0x01, 0x01, 0x10])
  t.ok(WA.validate(small.bytes))
  t.same(capMemory(await parse('(module (memory 1))'), 1_000_000).memories[0]?.maxPages, 65536, 'a 32-bit memory never gets more than 4 GiB')
})

t.test('every section other than memory is copied byte for byte', async (t) => {
  const core = await parse(`(module
    (type (func (param i32) (result i32)))
    (import "env" "f" (func $f (type 0)))
    (memory (export "memory") 2 50)
    (global $g (mut i32) (i32.const 5))
    (data (i32.const 8) "hello")
    (func $main (export "main") (result i32) (call $f (global.get $g))))`)
  const { bytes } = capMemory(core, 16)
  const before = readSections(core)
  const after = readSections(bytes)
  t.same(after.map((s) => s.id), before.map((s) => s.id), 'same sections in the same order')
  before.forEach((s, i) => {
    const a = after[i]
    if (s.id === 5 || a === undefined) return
    t.same(bytes.subarray(a.start, a.end), core.subarray(s.start, s.end), `section ${s.id}`)
  })
  t.equal(bytes.length, core.length, 'max 50 → 16 keeps the same size')
  t.same(capMemory(await parse('(module (func))'), 16), { bytes: await parse('(module (func))'), memories: [] }, 'no memory: unchanged')
})

t.test('memory.grow past the cap fails inside the module, below it succeeds', async (t) => {
  const { bytes } = capMemory(await parse(`(module (memory (export "memory") 1) ${GROW})`), 4)
  const { exports } = new WA.Instance(new WA.Module(bytes))
  const grow = exports.grow as (pages: number) => number
  const size = exports.size as () => number
  t.equal(grow(2), 1, 'grows 1 → 3 pages; memory.grow returns the old size')
  t.equal(grow(1), 3, 'grows 3 → 4 pages, exactly the cap')
  t.equal(grow(1), -1, 'a 5th page is refused: memory.grow returns -1')
  t.equal(size(), 4)
  const memory = exports.memory as { grow: (n: number) => number, buffer: ArrayBuffer }
  t.throws(() => memory.grow(1), RangeError, 'the host cannot grow it past the cap either')
  t.equal(memory.buffer.byteLength, 4 * 65536)

  const uncapped = new WA.Instance(new WA.Module(await parse(`(module (memory 1) ${GROW})`)))
  t.equal((uncapped.exports.grow as (pages: number) => number)(8), 1, 'without the cap the same module grows to 9 pages')
})

t.test('imported memories are capped too, and still link with a capped exporter', async (t) => {
  const importer = capMemory(await parse(`(module (import "env" "memory" (memory 1)) ${GROW})`), 4)
  t.same(importer.memories, [{ index: 0, initialPages: 1, maxPages: 4, imported: { module: 'env', name: 'memory' } }])
  const exporter = capMemory(await parse('(module (memory (export "memory") 1 1000))'), 4)
  const memory = new WA.Instance(new WA.Module(exporter.bytes)).exports.memory
  const { exports } = new WA.Instance(new WA.Module(importer.bytes), { env: { memory } })
  const grow = exports.grow as (pages: number) => number
  t.equal(grow(3), 1)
  t.equal(grow(1), -1, 'the shared memory stops at the cap')

  // Indices: imported memories first, then defined ones (multi-memory).
  const both = capMemory(await parse('(module (import "a" "m" (memory 2 3)) (memory 1))'), 16)
  t.same(both.memories, [
    { index: 0, initialPages: 2, maxPages: 3, previousMax: 3, imported: { module: 'a', name: 'm' } },
    { index: 1, initialPages: 1, maxPages: 16 }
  ])
  const needy = await parse('(module (import "a" "m" (memory 20)))')
  t.throws(() => capMemory(needy, 16), { code: 'E_QUOTA' }, 'an import needing too much is refused')
  // Other import kinds are walked over, not changed.
  const mixed = await parse(`(module
    (import "a" "f" (func (param i32)))
    (import "a" "t" (table 1 funcref))
    (import "a" "g" (global (mut i64)))
    (import "a" "r" (global externref))
    (import "a" "m" (memory 1))
    (import "a" "tag" (tag (param i32))))`)
  const capped = capMemory(mixed, 16)
  t.same(capped.memories.map((m) => m.imported?.name), ['m'])
  t.equal(capped.bytes.length, mixed.length + 1, 'one byte more: the new maximum')
  t.ok(WA.validate(capped.bytes))
})

t.test('shared and 64-bit memories keep their flags', async (t) => {
  const shared = capMemory(await parse('(module (memory 1 100 shared))'), 16)
  t.same(memoryLimits(shared.bytes), [0x03, 0x01, 0x10], 'flags 3: shared + max')
  t.ok(WA.validate(shared.bytes))
  // Flags 2 (shared, no max) is invalid wasm; capping gives it the maximum it lacked.
  t.same(memoryLimits(capMemory(memoryModule(0x02, 0x01), 16).bytes), [0x03, 0x01, 0x10])
  // memory64: flags 4/5, u64 LEBs. Node 22 does not run memory64 by default, so check bytes.
  t.same(memoryLimits(capMemory(memoryModule(0x04, 0x01), 16).bytes), [0x05, 0x01, 0x10])
  const huge = capMemory(memoryModule(0x05, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), 16) // max 2^42
  t.same(huge.memories, [{ index: 0, initialPages: 1, maxPages: 16, previousMax: 2 ** 42 }])
  t.same(memoryLimits(huge.bytes), [0x05, 0x01, 0x10])
  t.same(memoryLimits(capMemory(memoryModule(0x07, 0x01, 0x08), 16).bytes), [0x07, 0x01, 0x08], 'shared 64-bit below the cap')
})

t.test('bytes that are not a well-formed core module: E_WASM_INVALID', async (t) => {
  expectInvalid(t, new TextEncoder().encode('definitely not wasm'), /magic bytes/)
  expectInvalid(t, new Uint8Array(0), /magic bytes/)
  expectInvalid(t, new Uint8Array([...HEADER.slice(0, 4), 0x0d, 0x00, 0x01, 0x00]), /component, not a core module/)
  expectInvalid(t, new Uint8Array([...HEADER.slice(0, 4), 0x02, 0x00, 0x00, 0x00]), /version/)
  expectInvalid(t, new Uint8Array([...HEADER, 0x05, 0x10, 0x01, 0x00]), /claims 16 bytes/)
  expectInvalid(t, new Uint8Array([...HEADER, 0x05, 0x03, 0x02, 0x00, 0x01]), /unexpected end/)
  expectInvalid(t, new Uint8Array([...HEADER, 0x05, 0x04, 0x01, 0x00, 0x01, 0x00]), /1 bytes after/)
  expectInvalid(t, memoryModule(0x08, 0x01), /flags 0x8/)
  expectInvalid(t, memoryModule(0x01, 0x05, 0x02), /maximum \(2\) below its minimum \(5\)/)
  expectInvalid(t, memoryModule(0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), /longer than 5 bytes/)
  expectInvalid(t, memoryModule(0x00, 0xff, 0xff, 0xff, 0xff, 0x7f), /out of range/)
  expectInvalid(t, new Uint8Array([...HEADER, 0x1f, 0x00]), /unknown section id 31/)
  expectInvalid(t, new Uint8Array([...memoryModule(0x00, 0x01), 0x05, 0x02, 0x01, 0x00]).slice(0, -1), /claims 2 bytes/)
  expectInvalid(t, new Uint8Array([...memoryModule(0x00, 0x01), 0x05, 0x03, 0x01, 0x00, 0x01]), /appears twice/)
  expectInvalid(t, new Uint8Array([...HEADER, 0x02, 0x05, 0x01, 0x01, 0x61, 0x01, 0x62]), /unexpected end/)
  expectInvalid(t, new Uint8Array([...HEADER, 0x02, 0x06, 0x01, 0x01, 0x61, 0x01, 0x62, 0x09]), /unknown kind 0x9/)
  expectInvalid(t, new Uint8Array([...HEADER, 0x02, 0x06, 0x01, 0x01, 0xff, 0x01, 0x62, 0x00]), /not UTF-8/)
})

t.test('the cap itself must be a whole number of pages', async (t) => {
  const core = memoryModule(0x00, 0x01)
  t.throws(() => capMemory(core, -1), { code: 'E_INVALID_ARG' })
  t.throws(() => capMemory(core, 1.5), { code: 'E_INVALID_ARG' })
  t.throws(() => capMemory(core, Number.NaN), { code: 'E_INVALID_ARG' })
  t.equal(pagesForMb(64), 1024)
})
