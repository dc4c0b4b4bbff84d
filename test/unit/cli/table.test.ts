import t from 'tap'

// Colour would be on even though tap pipes stdout, so that a test of NO_COLOR can fail.
// Set before @oclif/table (and its chalk) is first loaded, inside table().
process.env.FORCE_COLOR = '1'
const { colourAllowed, table } = await import('../../../src/cli/table.js')

const ESC = '\x1b['
const columns = [{ key: 'engine', name: 'ENGINE' }, { key: 'gflops', name: 'GFLOP/S', align: 'right' }] as const
const rows = [{ engine: 'onnx', gflops: '157.0' }, { engine: 'tfjs-cpu', gflops: '0.6' }]

t.test('rows come out as aligned columns under their headers, flush left', async (t) => {
  const text = await table([...columns], rows, { isTTY: false })
  t.same(text.split('\n'), [
    'ENGINE     GFLOP/S',
    'onnx         157.0',
    'tfjs-cpu       0.6'
  ])
})

t.test('colour on a terminal, none with NO_COLOR or when piped', async (t) => {
  t.ok((await table([...columns], rows, { isTTY: true, env: {} })).includes(ESC), 'a terminal gets a coloured header')
  t.notOk((await table([...columns], rows, { isTTY: true, env: { NO_COLOR: '1' } })).includes(ESC), 'NO_COLOR')
  t.notOk((await table([...columns], rows, { isTTY: false, env: {} })).includes(ESC), 'piped')
  t.equal(colourAllowed({ isTTY: true, env: { NO_COLOR: '' } }), true, 'an empty NO_COLOR does not count (no-color.org)')
})

t.test('a coloured table lines up like a plain one', async (t) => {
  // eslint-disable-next-line no-control-regex -- \x1b starts the ANSI colour codes it strips
  const strip = (s: string): string => s.replace(/\x1b\[[\d;]*m/g, '')
  const plain = await table([...columns], rows, { isTTY: false })
  const coloured = await table([...columns], rows, { isTTY: true, env: {} })
  t.same(strip(coloured).split('\n').map((l) => l.trimEnd()), plain.split('\n'))
})

t.test('long cells are never cut', async (t) => {
  const id = `12D3KooW${'x'.repeat(300)}`
  t.match(await table([{ key: 'id', name: 'PEER ID' }], [{ id }], { isTTY: false }), id)
})
