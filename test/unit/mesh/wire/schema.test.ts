import t from 'tap'
import { schema, type Infer } from '../../../../src/runtime/mesh/wire/index.js'

const Hello = schema.object({
  id: schema.string({ max: 8 }),
  n: schema.optional(schema.integer({ min: 0, max: 10 })),
  tags: schema.array(schema.string(), { max: 2 }),
  load: schema.object({ cpu: schema.number({ min: 0, max: 1 }) }),
  kind: schema.oneOf(['a', 'b'])
})

t.test('a good frame comes back typed, unknown keys dropped', async (t) => {
  const v: Infer<typeof Hello> = Hello.parse({ id: 'x', tags: ['p'], load: { cpu: 0.5, extra: 1 }, kind: 'a', other: true })
  t.same(v, { id: 'x', tags: ['p'], load: { cpu: 0.5 }, kind: 'a' })
  t.equal(v.n, undefined)
})

t.test('a bad field is named by its path', async (t) => {
  const good = { id: 'x', tags: [], load: { cpu: 0 }, kind: 'b' }
  const cases: Array<[unknown, RegExp]> = [
    [null, /^frame: expected an object/],
    [[], /^frame: expected an object, got an array/],
    [{ ...good, id: 'too long id' }, /^frame\.id: expected a string of at most 8/],
    [{ ...good, id: 5 }, /^frame\.id: expected a string/],
    [{ ...good, n: 1.5 }, /^frame\.n: expected an integer/],
    [{ ...good, n: 11 }, /^frame\.n:/],
    [{ ...good, tags: ['a', 'b', 'c'] }, /^frame\.tags: expected an array of 0\.\.2/],
    [{ ...good, tags: [1] }, /^frame\.tags\[0\]:/],
    [{ ...good, load: { cpu: Number.NaN } }, /^frame\.load\.cpu:/],
    [{ ...good, load: { cpu: '1' } }, /^frame\.load\.cpu:/],
    [{ ...good, kind: 'c' }, /^frame\.kind: expected one of a, b/]
  ]
  for (const [value, message] of cases) {
    t.throws(() => Hello.parse(value), { code: 'E_BAD_FRAME', message }, JSON.stringify(value))
  }
  try { Hello.parse({ ...good, load: { cpu: -1 } }) } catch (err) { t.equal((err as { path?: string }).path, 'frame.load.cpu', 'the error carries the path') }
})

t.test('json, record and base64 guard what they carry', async (t) => {
  const j = schema.json({ maxDepth: 3 })
  t.same(j.parse({ a: [1, 'x', null, true] }), { a: [1, 'x', null, true] })
  t.throws(() => j.parse({ a: { b: { c: { d: 1 } } } }), { code: 'E_BAD_FRAME', message: /nested at most 3/ })
  t.throws(() => j.parse(JSON.parse('{"__proto__": {"x": 1}}')), { message: /__proto__/ })
  let deep: unknown = 1
  for (let i = 0; i < 100_000; i++) deep = [deep]
  t.throws(() => schema.json().parse(deep), { code: 'E_BAD_FRAME' }, 'a very deep value is refused, not a stack overflow')
  const r = schema.record(schema.string(), { maxKeys: 2 })
  t.same(r.parse({ a: 'x' }), { a: 'x' })
  t.throws(() => r.parse({ a: 'x', b: 'y', c: 'z' }), { message: /at most 2 keys/ })
  t.throws(() => r.parse(JSON.parse('{"constructor": "x"}')), { code: 'E_BAD_FRAME' })
  const b = schema.base64({ maxBytes: 3 })
  t.equal(b.parse('AAAA'), 'AAAA')
  t.throws(() => b.parse('AAAAAAAA'), { code: 'E_BAD_FRAME' })
  t.throws(() => b.parse('A$AA'), { code: 'E_BAD_FRAME' })
  t.throws(() => schema.frame().parse('x'), { message: /expected an object/ })
})

t.test('variant picks the schema by tag', async (t) => {
  const V = schema.variant('op', {
    put: schema.object({ op: schema.literal('put'), key: schema.string() }),
    del: schema.object({ op: schema.literal('del') })
  })
  t.same(V.parse({ op: 'put', key: 'k' }), { op: 'put', key: 'k' })
  t.throws(() => V.parse({ op: 'get' }), { message: /^frame\.op: expected one of put, del/ })
  t.throws(() => V.parse({ op: 'put' }), { message: /^frame\.key:/ })
})
