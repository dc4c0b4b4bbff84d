// The RPC envelope, checked by hand on the hot path: each of its shapes passes, and anything
// else is a bad frame naming the bad field (never a TypeError that would reach the caller).
import t from 'tap'
import { parseEnvelope } from '../../../src/runtime/rpc/frames.js'

t.test('every kind of frame passes as it came', async (t) => {
  for (const f of [
    { k: 'q', id: 0, b: {} }, { k: 'q', id: 1, b: null, w: 64 }, { k: 's', id: 2, b: 'x' }, { k: 'v', id: 3, b: [1] },
    { k: 'e', id: 4, e: { code: 'E_X' } }, { k: 'd', id: 5 }, { k: 'c', id: 6 }, { k: 'm', id: 7, n: 1 }, { k: 'n', b: 0 }
  ]) t.equal(parseEnvelope(f), f, f.k)
})

t.test('a bad envelope is a bad frame naming the field', async (t) => {
  const cases: Array<[unknown, string]> = [
    [null, 'frame'], [[], 'frame'], ['q', 'frame'], [7, 'frame'],
    [{}, 'frame.k'], [{ k: 'x', id: 1 }, 'frame.k'],
    [{ k: 'q', b: {} }, 'frame.id'], [{ k: 's', id: -1, b: 1 }, 'frame.id'], [{ k: 'd', id: 1.5 }, 'frame.id'], [{ k: 'c', id: '1' }, 'frame.id'],
    [{ k: 'q', id: 1 }, 'frame.b'], [{ k: 'n' }, 'frame.b'],
    [{ k: 'e', id: 1, e: 'oops' }, 'frame.e'], [{ k: 'e', id: 1, e: null }, 'frame.e'],
    [{ k: 'm', id: 1, n: 0 }, 'frame.n'], [{ k: 'q', id: 1, b: {}, w: 0 }, 'frame.w']
  ]
  for (const [value, path] of cases) {
    t.throws(() => parseEnvelope(value), { code: 'E_BAD_FRAME', path, message: new RegExp(`^${path.replace('.', '\\.')}: `) }, JSON.stringify(value))
  }
})
