// An envelope crosses to another node whole, delegated capabilities included, and a frame
// whose grants are not bounded send capabilities is refused before it reaches a kernel.
import '../../helpers/esm-js-hook.js'
import t from 'tap'
import type { Envelope } from '../../../src/runtime/types/index.js'

const { fromWire, ipcSchema, toWire } = await import('../../../src/runtime/cluster/index.js')
const { parseFrame } = await import('../../../src/runtime/rpc/index.js')

const e: Envelope = { id: 'm1', from: 'boss', to: 'relay', seq: 3n, kind: 'message', payload: '{}', grants: ['send:x', 'send:y'] }
/** What the receiving node reads of a `deliver` frame, after JSON on the wire. */
const wire = (w: unknown): unknown => {
  const frame = parseFrame(ipcSchema, JSON.parse(JSON.stringify({ op: 'deliver', envelope: w })))
  return frame.op === 'deliver' ? frame.envelope : undefined
}

t.test('grants survive the trip to another node; an envelope without grants stays without', async (t) => {
  t.same(fromWire(wire(toWire(e)) as ReturnType<typeof toWire>), e)
  const { grants: _, ...plain } = e
  const back = fromWire(wire(toWire(plain)) as ReturnType<typeof toWire>)
  t.same(back, plain)
  t.notOk('grants' in back)
})

t.test('the wire refuses grants that are too many, too long, or not send capabilities', async (t) => {
  for (const grants of [Array.from({ length: 65 }, (_, i) => `send:a${i}`), ['send:' + 'a'.repeat(76)], ['kv'], ['send:'], 'send:x']) {
    t.throws(() => wire({ ...toWire(e), grants }), { code: 'E_BAD_FRAME', path: /^frame\.envelope\.grants/ }, JSON.stringify(grants).slice(0, 40))
  }
  t.ok(wire({ ...toWire(e), grants: Array.from({ length: 64 }, () => 'send:' + 'a'.repeat(75)) }), '64 names of 80 characters pass')
})
