import t from 'tap'
import { parseRequirements, place, type NodeSummary } from '../../../src/runtime/placement/place.js'

const node = (name: string, over: Partial<NodeSummary['hardware']> = {}, extra: Partial<NodeSummary> = {}): NodeSummary => ({
  peerId: `12D3KooW${name}xxxxxxxx`,
  name,
  labels: {},
  hardware: { arch: 'x86_64', simd: ['avx2'], gpus: 0, cores: 2, memoryBytes: 8e9, support: 'runs', ...over },
  load: { agents: 0, cpu: 0, memory: 0 },
  state: 'alive',
  ...extra
})

t.test('constraints pick the only node that meets them', async (t) => {
  const nodes = [node('a'), node('b', { simd: ['avx2', 'avx512f'] }), node('c', { arch: 'aarch64', simd: ['neon', 'sve'] }, { labels: { region: 'eu' } })]
  t.equal(place(parseRequirements(['arch=aarch64']), nodes).name, 'c')
  t.equal(place(parseRequirements(['simd=avx512f']), nodes).name, 'b')
  t.equal(place(parseRequirements(['label=region=eu']), nodes).name, 'c')
  t.equal(place({}, [node('busy', {}, { load: { agents: 10, cpu: 0.9, memory: 0.5 } }), node('idle')]).name, 'idle', 'least loaded wins')
})

t.test('when nothing fits, the error says what failed where', async (t) => {
  const nodes = [node('a'), node('b', {}, { state: 'dead' })]
  t.throws(() => place(parseRequirements(['gpu']), nodes), { code: 'E_NO_NODE_FITS', message: /a \(.*\): a GPU is needed, it has none; b \(.*\): it is dead/ })
  t.throws(() => place({ simd: 'sve' }, nodes), /simd=sve needed, it has avx2/)
})

t.test('--require parsing', async (t) => {
  t.same(parseRequirements(['simd=avx2', 'gpu', 'label=zone=a=b']), { simd: 'avx2', gpu: true, labels: { zone: 'a=b' } })
  t.same(parseRequirements(['arch=x86_64'], { labels: { tier: 'gold' } }), { arch: 'x86_64', labels: { tier: 'gold' } })
  for (const bad of ['arch=sparc', 'fast', 'label=noequals', 'simd=']) t.throws(() => parseRequirements([bad]), { code: 'E_INVALID_ARG' }, bad)
})
