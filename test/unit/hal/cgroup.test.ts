import t from 'tap'
import { detectHardware, fixtureSource, parseCfsQuota, parseCpuMax, parseMemoryLimit, parseProcCgroup } from '../../../src/runtime/hal/index.js'

t.test('v2 files: cpu.max and memory.max', async (t) => {
  t.equal(parseCpuMax('max 100000\n'), null, 'no quota')
  t.equal(parseCpuMax('150000 100000\n'), 1.5, 'one and a half CPUs')
  t.equal(parseCpuMax('200000 50000'), 4)
  t.equal(parseMemoryLimit('max\n'), null)
  t.equal(parseMemoryLimit('536870912\n'), 512 * 1024 * 1024)
})

t.test('v1 files: cfs quota and memory.limit_in_bytes', async (t) => {
  t.equal(parseCfsQuota('-1\n', '100000\n'), null, '-1 means unlimited')
  t.equal(parseCfsQuota('50000\n', '100000\n'), 0.5)
  t.equal(parseMemoryLimit('9223372036854771712\n'), null, "v1's page-rounded LONG_MAX means unlimited")
  t.equal(parseMemoryLimit('2147483648\n'), 2 * 1024 ** 3)
})

t.test('/proc/self/cgroup: v2, v1 and hybrid', async (t) => {
  t.same(parseProcCgroup('0::/user.slice/session-3.scope\n'), [{ hierarchy: 0, controllers: [], path: '/user.slice/session-3.scope' }])
  const hybrid = parseProcCgroup('4:memory:/process_api/82cb\n1:cpu:/\n0::/\n')
  t.same(hybrid[0], { hierarchy: 4, controllers: ['memory'], path: '/process_api/82cb' })
  t.same(parseProcCgroup('2:cpu,cpuacct:/docker/abc')[0].controllers, ['cpu', 'cpuacct'])
})

type Dir = Parameters<typeof t.testdir>[0]

/** A throwaway machine dump from a path → content map (tap's testdir removes it afterwards). */
function tree (files: Record<string, string>): Dir {
  const root: Record<string, unknown> = {}
  for (const [p, text] of Object.entries(files)) {
    const parts = p.split('/')
    let node = root
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>
    node[parts[parts.length - 1]] = text
  }
  return root as Dir
}

t.test('a container under cgroup v2: the smallest limit up the tree wins, capped by online CPUs', async (t) => {
  const dir = t.testdir(tree({
    'proc/self/cgroup': '0::/kubepods/pod1/ctr\n',
    'sys/devices/system/cpu/online': '0-7\n',
    'sys/fs/cgroup/cgroup.controllers': 'cpu memory\n',
    'sys/fs/cgroup/kubepods/pod1/ctr/cpu.max': 'max 100000\n',
    'sys/fs/cgroup/kubepods/pod1/ctr/memory.max': 'max\n',
    'sys/fs/cgroup/kubepods/pod1/cpu.max': '250000 100000\n',
    'sys/fs/cgroup/kubepods/pod1/memory.max': '1073741824\n',
    'sys/fs/cgroup/kubepods/memory.max': '4294967296\n'
  }))
  const hw = await detectHardware({ source: fixtureSource(dir, { platform: 'linux', arch: 'x86_64' }) })
  t.same(hw.limits, { cpus: 2.5, memoryBytes: 1024 ** 3, source: 'cgroup2' })

  const wide = t.testdir(tree({
    'proc/self/cgroup': '0::/\n',
    'sys/devices/system/cpu/online': '0-1\n',
    'sys/fs/cgroup/cgroup.controllers': 'cpu\n',
    'sys/fs/cgroup/cpu.max': '800000 100000\n'
  }))
  const capped = await detectHardware({ source: fixtureSource(wide, { platform: 'linux', arch: 'x86_64' }) })
  t.equal(capped.limits.cpus, 2, 'a quota of 8 CPUs on a 2-CPU machine is 2')
})

t.test('cgroup v1 (a hybrid host like this one): huge memory limit is unlimited, quota is read', async (t) => {
  const dir = t.testdir(tree({
    'proc/self/cgroup': '4:memory:/process_api/82cb\n1:cpu:/docker/abc\n0::/\n',
    'sys/devices/system/cpu/online': '0-3\n',
    'sys/fs/cgroup/memory/process_api/82cb/memory.limit_in_bytes': '9223372036854771712\n',
    'sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n',
    'sys/fs/cgroup/cpu/docker/abc/cpu.cfs_quota_us': '100000\n',
    'sys/fs/cgroup/cpu/docker/abc/cpu.cfs_period_us': '100000\n',
    'sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n'
  }))
  const hw = await detectHardware({ source: fixtureSource(dir, { platform: 'linux', arch: 'x86_64' }) })
  t.same(hw.limits, { cpus: 1, memoryBytes: null, source: 'cgroup1' })
})

t.test('no /proc/self/cgroup: no limits and says so', async (t) => {
  const dir = t.testdir(tree({ 'proc/cpuinfo': 'processor\t: 0\nflags\t: fpu lm\n' }))
  const hw = await detectHardware({ source: fixtureSource(dir, { platform: 'linux', arch: 'x86_64' }) })
  t.same(hw.limits, { cpus: null, memoryBytes: null, source: 'none' })
})
