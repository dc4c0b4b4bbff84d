// A component of another world is refused before anything runs, and the error says why.
import t from 'tap'
import { checkWorld } from '../../../src/runtime/wasm/index.js'

t.test('the mielin:agent world: exact exports, only its imports', async (t) => {
  t.doesNotThrow(() => checkWorld(['init', 'onMessage', 'onMigrate'], ['mielin:agent/host@0.1.0', 'mielin:agent/kv']))
  t.throws(() => checkWorld(['init', 'onMessage'], []), { code: 'E_WASM_INVALID', exitCode: 3, message: /does not export onMigrate/, suggestions: [/mielin agent build/] })
  t.throws(() => checkWorld(['init', 'onMessage', 'onMigrate'], ['wasi:filesystem/types@0.2.0', 'mielin:agent/host']), {
    code: 'E_WASM_INVALID', message: /imports wasi:filesystem\/types@0.2.0, which the mielin:agent world does not provide/
  })
  t.throws(() => checkWorld(['run'], ['wasi:cli/run']), /does not export init, onMessage, onMigrate; it imports wasi:cli\/run/)
})
