// The manifest rides in a `mielin:manifest` custom section; tools must still read the binary.
import t from 'tap'
import { parse, print, transpile } from '@bytecodealliance/jco'
import { embedManifest, MANIFEST_SECTION, readManifest } from '../../../src/runtime/manifest/section.js'
import { parseManifest } from '../../../src/runtime/manifest/parse.js'

const manifest = parseManifest({ name: 'hello', version: '1.2.3', capabilities: ['log', 'kv', 'send:*'], placement: { simd: 'avx2' } })

t.test('embed then read gives the manifest back, on a component and on a core module', async (t) => {
  const component = await parse('(component (core module $m (func (export "f"))) (core instance (instantiate $m)))')
  const withManifest = embedManifest(component, manifest)
  t.same(readManifest(withManifest), manifest)
  t.same(withManifest.subarray(0, component.length), component, 'the original bytes are kept; the section is appended')
  t.ok(Buffer.from(withManifest).includes(Buffer.from(MANIFEST_SECTION)))
  t.match(await print(withManifest), /\(component/, 'wasm-tools still parses the component')

  const core = await parse('(module (func (export "f")))')
  const coreWith = embedManifest(core, manifest)
  t.ok(WebAssembly.validate(coreWith), 'a core module with the section still validates')
  t.same(readManifest(coreWith), manifest)
})

t.test('a component with the section still transpiles with jco', async (t) => {
  const component = await parse(`(component
    (core module $m (func (export "f") (result i32) i32.const 7))
    (core instance $i (instantiate $m))
    (func (export "answer") (result u32) (canon lift (core func $i "f"))))`)
  const out = await transpile(embedManifest(component, manifest), { name: 'x', instantiation: 'sync', noTypescript: true })
  t.same(out.exports, [['answer', 'function']])
})

t.test('embedding again replaces the section instead of adding a second one', async (t) => {
  const component = await parse('(component)')
  const once = embedManifest(component, manifest)
  const bigger = { ...manifest, description: 'x'.repeat(300) } // a size that needs a 2-byte LEB128
  const twice = embedManifest(once, bigger)
  t.same(readManifest(twice), bigger)
  const count = (bytes: Uint8Array): number => Buffer.from(bytes).toString('latin1').split(MANIFEST_SECTION).length - 1
  t.equal(count(twice), 1)
  t.equal(twice.length - component.length, embedManifest(component, bigger).length - component.length)
})

t.test('no section, other custom sections, and broken binaries', async (t) => {
  const component = await parse('(component)')
  t.equal(readManifest(component), undefined, 'no manifest: undefined')
  // A custom section with another name, then ours.
  const other = Uint8Array.from([...component, 0, 7, 5, ...Buffer.from('other'), 42])
  t.same(readManifest(embedManifest(other, manifest)), manifest)
  t.throws(() => readManifest(Uint8Array.from([1, 2, 3])), { code: 'E_WASM_INVALID', exitCode: 3 })
  t.throws(() => readManifest(Uint8Array.from([...component, 0, 50, 1])), { code: 'E_WASM_INVALID', message: /runs past the end/ })
  const notJson = Uint8Array.from([...component, 0, 17, 15, ...Buffer.from('mielin:manifest'), 0x7b])
  t.throws(() => readManifest(notJson), { code: 'E_WASM_INVALID', message: /not JSON/ })
  const badManifest = embedManifest(component, { ...manifest, name: 'Bad Name' })
  t.throws(() => readManifest(badManifest), { code: 'E_MANIFEST_INVALID' }, 'the embedded manifest is validated')
})
