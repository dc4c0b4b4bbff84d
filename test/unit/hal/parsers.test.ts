import t from 'tap'
import { parseCpuinfo, parseCpuList, parseMeminfo, parseSysctl } from '../../../src/runtime/hal/index.js'

t.test('cpu lists: ranges, singles, gaps and junk', async (t) => {
  t.same(parseCpuList('0-3,8'), [0, 1, 2, 3, 8])
  t.same(parseCpuList('4-20\n'), Array.from({ length: 17 }, (_, i) => i + 4), 'the Haswell dump: CPUs 0-3 and 21-23 offline')
  t.same(parseCpuList('0'), [0])
  t.same(parseCpuList('1-5,8-19'), [1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19])
  t.same(parseCpuList('3,1,1-2'), [1, 2, 3], 'sorted, no duplicates')
  t.same(parseCpuList(''), [], 'the empty `offline` file of a machine with every CPU online')
  t.same(parseCpuList('x,2-1,0-99999999'), [], 'malformed and absurd parts are skipped, not thrown on')
})

t.test('meminfo: MemTotal and MemAvailable in bytes, with the pre-3.14 estimate', async (t) => {
  t.same(parseMeminfo('MemTotal:       24684084 kB\nMemFree:        23506852 kB\nMemAvailable:   24222728 kB\n'),
    { totalBytes: 24684084 * 1024, availableBytes: 24222728 * 1024 })
  t.same(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 10 kB\nCached: 200 kB\n'),
    { totalBytes: 1000 * 1024, availableBytes: 310 * 1024 }, 'old kernels: free + buffers + cache')
  t.same(parseMeminfo('garbage'), { totalBytes: undefined, availableBytes: undefined })
})

t.test('sysctl: macOS `key: value` and Linux `key = value`', async (t) => {
  const s = parseSysctl('hw.memsize: 17179869184\nmachdep.cpu.brand_string: Apple M1 Pro\nhw.osenvironment:\nkernel.ostype = Linux\n')
  t.equal(s['hw.memsize'], '17179869184')
  t.equal(s['machdep.cpu.brand_string'], 'Apple M1 Pro', 'values keep their spaces')
  t.equal(s['hw.osenvironment'], '', 'empty values are kept as empty')
  t.equal(s['kernel.ostype'], 'Linux')
})

t.test('cpuinfo: processor blocks and the machine lines after them', async (t) => {
  const info = parseCpuinfo('processor\t: 0\nFeatures\t: half neon\n\nprocessor\t: 1\nFeatures\t: half neon\n\nHardware\t: BCM2709\nRevision\t: a02082\n')
  t.equal(info.processors.length, 2)
  t.equal(info.processors[1].Features, 'half neon')
  t.same(info.machine, { Hardware: 'BCM2709', Revision: 'a02082' })
  const old = parseCpuinfo('Processor\t: ARMv7 Processor rev 4 (v7l)\nprocessor\t: 0\nBogoMIPS\t: 1694.10\n\nFeatures\t: swp neon\nCPU part\t: 0xc0f\n')
  t.equal(old.processors.length, 1, 'old arm32 kernels: one block per CPU, shared fields after them')
  t.equal(old.machine.Features, 'swp neon')
})
