// Frame schemas are zod schemas checked through parseFrame: a bad field is named by its path,
// and what zod does not bound by itself (JSON depth, prototype keys, record size, base64) is.
import t from 'tap'
import { z } from 'zod'
import { base64, json, jsonObject, parseFrame, record } from '../../../src/runtime/rpc/frame-schema.js'

const Hello = z.object({
  id: z.string().max(8),
  n: z.int().min(0).max(10).optional(),
  tags: z.array(z.string()).max(2),
  load: z.object({ cpu: z.number().min(0).max(1) }),
  kind: z.enum(['a', 'b'])
})

t.test('a good frame comes back typed, unknown keys dropped', async (t) => {
  const v: z.infer<typeof Hello> = parseFrame(Hello, { id: 'x', tags: ['p'], load: { cpu: 0.5, extra: 1 }, kind: 'a', other: true })
  t.same(v, { id: 'x', tags: ['p'], load: { cpu: 0.5 }, kind: 'a' })
  t.equal(v.n, undefined)
})

t.test('a bad field is named by its path', async (t) => {
  const good = { id: 'x', tags: [], load: { cpu: 0 }, kind: 'b' }
  const cases: Array<[unknown, string]> = [
    [null, 'frame'],
    [[], 'frame'],
    [{ ...good, id: 'too long id' }, 'frame.id'],
    [{ ...good, id: 5 }, 'frame.id'],
    [{ ...good, n: 1.5 }, 'frame.n'],
    [{ ...good, n: 11 }, 'frame.n'],
    [{ ...good, tags: ['a', 'b', 'c'] }, 'frame.tags'],
    [{ ...good, tags: [1] }, 'frame.tags[0]'],
    [{ ...good, load: { cpu: Number.NaN } }, 'frame.load.cpu'],
    [{ ...good, load: { cpu: Infinity } }, 'frame.load.cpu'],
    [{ ...good, load: { cpu: '1' } }, 'frame.load.cpu'],
    [{ ...good, kind: 'c' }, 'frame.kind']
  ]
  for (const [value, path] of cases) {
    t.throws(() => parseFrame(Hello, value), { code: 'E_BAD_FRAME', path, message: new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')}: \\S`) }, JSON.stringify(value))
  }
  t.throws(() => parseFrame(Hello, { ...good, id: 'too long id' }, 'frame.b'), { path: 'frame.b.id', message: /^frame\.b\.id: Too big: expected string to have <=8 characters\.$/ }, 'the caller names the root')
  t.throws(() => parseFrame(z.int(), 2 ** 60), { code: 'E_BAD_FRAME', path: 'frame' }, 'an integer is a safe integer')
  const V = z.discriminatedUnion('op', [z.object({ op: z.literal('put'), key: z.string() }), z.object({ op: z.literal('del') })])
  t.same(parseFrame(V, { op: 'put', key: 'k' }), { op: 'put', key: 'k' })
  t.throws(() => parseFrame(V, { op: 'get' }), { path: 'frame.op', message: /'put' \| 'del'/ })
  t.throws(() => parseFrame(V, { op: 'put' }), { code: 'E_BAD_FRAME', path: 'frame.key' })
})

t.test('json, record and base64 guard what they carry', async (t) => {
  const j = json({ maxDepth: 3 })
  t.same(parseFrame(j, { a: [1, 'x', null, true] }), { a: [1, 'x', null, true] })
  t.throws(() => parseFrame(j, { a: { b: { c: { d: 1 } } } }), { code: 'E_BAD_FRAME', path: 'frame.a.b.c', message: /nested at most 3/ })
  t.throws(() => parseFrame(j, JSON.parse('{"x": [1, {"__proto__": {"y": 1}}]}')), { path: 'frame.x[1].__proto__', message: /__proto__/ })
  t.throws(() => parseFrame(j, { n: Infinity }), { path: 'frame.n', message: /finite/ })
  t.throws(() => parseFrame(z.object({ ok: json() }), {}), { code: 'E_BAD_FRAME', path: 'frame.ok' }, 'a missing JSON value is refused')
  let deep: unknown = 1
  for (let i = 0; i < 100_000; i++) deep = [deep]
  t.throws(() => parseFrame(json(), deep), { code: 'E_BAD_FRAME' }, 'a very deep value is refused, not a stack overflow')

  const r = record(z.string(), { maxKeys: 2, maxKeyLength: 4 })
  t.same(parseFrame(r, { a: 'x' }), { a: 'x' })
  t.throws(() => parseFrame(r, { a: 'x', b: 'y', c: 'z' }), { message: /at most 2 keys/ })
  t.throws(() => parseFrame(r, { abcde: 'x' }), { code: 'E_BAD_FRAME' })
  t.throws(() => parseFrame(r, { a: 1 }), { code: 'E_BAD_FRAME', path: 'frame.a' })
  t.throws(() => parseFrame(r, JSON.parse('{"constructor": "x"}')), { code: 'E_BAD_FRAME', path: 'frame.constructor', message: /constructor/ })
  t.throws(() => parseFrame(r, JSON.parse('{"__proto__": "x"}')), { code: 'E_BAD_FRAME', path: 'frame.__proto__' }, 'refused, not dropped')
  t.throws(() => parseFrame(r, []), { code: 'E_BAD_FRAME', path: 'frame', message: /expected an object/ })
  t.throws(() => parseFrame(record(z.string()), { ['k'.repeat(5000)]: 'x' }), { code: 'E_BAD_FRAME', path: `frame.${'k'.repeat(64)}` }, 'a long key is cut in the path')

  const b = base64({ maxBytes: 3 })
  t.equal(parseFrame(b, 'AAAA'), 'AAAA')
  t.equal(parseFrame(base64(), 'AA=='), 'AA==')
  t.throws(() => parseFrame(b, 'AAAAAAAA'), { code: 'E_BAD_FRAME' }, 'over maxBytes')
  t.throws(() => parseFrame(b, 'A$AA'), { code: 'E_BAD_FRAME' })
  t.throws(() => parseFrame(b, 'AAA'), { code: 'E_BAD_FRAME' }, 'not a multiple of 4')

  t.same(parseFrame(jsonObject(), { a: { b: [1] } }), { a: { b: [1] } })
  t.throws(() => parseFrame(jsonObject(), 'x'), { code: 'E_BAD_FRAME', path: 'frame' })
  t.throws(() => parseFrame(jsonObject(), []), { code: 'E_BAD_FRAME', path: 'frame' })
  t.throws(() => parseFrame(jsonObject({ maxDepth: 1 }), { a: { b: 1 } }), { path: 'frame.a', message: /nested at most 1/ })
})
