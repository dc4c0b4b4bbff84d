import t from 'tap'
import { countCores } from '../../../src/runtime/hal/cores.js'

const block = (processor: number, extra: Record<string, string> = {}): Record<string, string> => ({ processor: String(processor), ...extra })

t.test('sysfs topology counts distinct (package, core) pairs of online CPUs', async (t) => {
  const topology = [0, 1, 2, 3].map((cpu) => ({ cpu, packageId: 0, coreId: cpu % 2 }))
  t.same(countCores({ online: [0, 1, 2, 3], topology }), { logical: 4, physical: 2 }, '2 cores × 2 threads')
})

t.test('partial topology (a dump with only some CPUs) falls back to cpuinfo ids', async (t) => {
  const processors = [0, 1, 2, 3].map((p) => block(p, { 'physical id': '0', 'core id': String(p) }))
  t.same(countCores({ online: [0, 1, 2, 3], topology: [{ cpu: 0, packageId: 0, coreId: 0 }], processors }), { logical: 4, physical: 4 })
})

t.test('`cpu cores` × sockets, never more than the logical count', async (t) => {
  const twoSockets = [0, 1, 2, 3].map((p) => block(p, { 'physical id': String(p % 2), 'cpu cores': '1' }))
  t.same(countCores({ processors: twoSockets }), { logical: 4, physical: 2 })
  t.same(countCores({ processors: [block(0, { 'cpu cores': '96' })] }), { logical: 1, physical: 1 }, 'a one-block excerpt of a 96-core EPYC')
})

t.test('no ids at all (Arm, RISC-V): physical = logical; nothing at all: the fallback', async (t) => {
  t.same(countCores({ processors: [block(0), block(1)] }), { logical: 2, physical: 2 })
  t.same(countCores({ fallbackLogical: 12 }), { logical: 12, physical: 12 })
  t.same(countCores({}), { logical: 1, physical: 1 })
})
