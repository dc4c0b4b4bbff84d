// Many pnet ciphers sharing xsalsa20's WebAssembly memory must not blow it up.
import { createRequire } from 'node:module'
import t from 'tap'
import { fixXsalsa20 } from '../../../src/runtime/mesh/xsalsa20-fix.js'

t.test('ciphers survive each other growing the shared memory', async (t) => {
  fixXsalsa20()
  const require = createRequire(createRequire(import.meta.url).resolve('@libp2p/pnet'))
  const xsalsa20 = require('xsalsa20') as (n: Uint8Array, k: Uint8Array) => { update: (i: Uint8Array) => Uint8Array }
  const ciphers = Array.from({ length: 20 }, (_, i) => xsalsa20(new Uint8Array(24).fill(i), new Uint8Array(32).fill(7)))
  const chunk = new Uint8Array(1024 * 1024)
  t.doesNotThrow(() => {
    for (let round = 0; round < 30; round++) for (const [i, c] of ciphers.entries()) c.update(chunk.subarray(0, (i + 1) * 40_000))
  }, '30 rounds × 20 ciphers of up to 800 KB stay under the 64 MiB maximum')
  const a = xsalsa20(new Uint8Array(24), new Uint8Array(32).fill(1))
  const b = xsalsa20(new Uint8Array(24), new Uint8Array(32).fill(1))
  const data = Uint8Array.from({ length: 5000 }, (_, i) => i % 251)
  t.same(b.update(a.update(data)), data, 'still a correct cipher (xor twice is the identity)')
})
