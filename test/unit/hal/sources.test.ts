import os from 'node:os'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { AbortedError, InvalidInputError } from '../../../src/runtime/errors.js'
import {
  detectHardware, fixtureSource, openFixtureSource, summarizeHardware, systemSource, type HalSource
} from '../../../src/runtime/hal/index.js'

const FIXTURES = fileURLToPath(new URL('../../fixtures/hal/', import.meta.url))

t.test('a dump without /proc degrades to unknowns instead of throwing', async (t) => {
  const empty = t.testdir({ 'README.txt': 'nothing here\n' })
  const hw = await detectHardware({ source: fixtureSource(empty, { platform: 'linux', arch: 'x86_64' }) })
  t.equal(hw.arch, 'x86_64')
  t.equal(hw.cpu.logicalCores, 1)
  t.equal(hw.cpu.physicalCores, 1)
  t.equal(hw.cpu.model, 'unknown')
  t.same(hw.memory, { totalBytes: 0, availableBytes: 0 })
  t.same(hw.limits, { cpus: null, memoryBytes: null, source: 'none' })
  t.equal(hw.maxVectorWidthBits, 128, 'x86-64 always has SSE2')
  t.same(hw.gpus, [])
  t.equal(hw.board, null)
  t.match(summarizeHardware(hw).join('\n'), /Memory\s+unknown total/)
})

t.test('…and to the os-module values a source provides', async (t) => {
  const empty = t.testdir({})
  const osFacts = { cpuModel: 'Some CPU', logicalCores: 6, totalMemoryBytes: 8 * 1024 ** 3, freeMemoryBytes: 1024 ** 3 }
  const hw = await detectHardware({ source: fixtureSource(empty, { platform: 'linux', arch: 'aarch64', os: osFacts }) })
  t.equal(hw.cpu.logicalCores, 6)
  t.equal(hw.cpu.model, 'Some CPU')
  t.same(hw.memory, { totalBytes: 8 * 1024 ** 3, availableBytes: 1024 ** 3 })
  const mac = await detectHardware({ source: fixtureSource(empty, { platform: 'darwin', arch: 'arm64', os: osFacts }) })
  t.equal(mac.memory.totalBytes, 8 * 1024 ** 3, 'macOS with no sysctl answer')
})

t.test('a source whose every call fails still gives a profile', async (t) => {
  const hostile: HalSource = {
    platform: 'linux',
    arch: 'riscv64',
    release: '6.6',
    readFile: async () => undefined,
    listDir: async () => [],
    exec: async () => undefined
  }
  const hw = await detectHardware({ source: hostile })
  t.equal(hw.arch, 'riscv64')
  t.equal(hw.support, 'detect-only')
})

t.test('fixture sources stay inside their folder and answer sysctl from sysctl.txt', async (t) => {
  const dir = t.testdir({ 'sysctl.txt': 'hw.memsize: 1024\n', inner: { 'file.txt': 'x' } })
  const src = fixtureSource(`${dir}/inner`)
  t.equal(await src.readFile('/file.txt'), 'x')
  t.equal(await src.readFile('/../sysctl.txt'), undefined, '.. cannot climb out')
  t.equal(await fixtureSource(dir).exec('sysctl', ['hw', 'machdep']), 'hw.memsize: 1024\n')
  t.equal(await fixtureSource(dir).exec('nvidia-smi', []), undefined, 'no nvidia-smi.txt: as if the tool were absent')
})

t.test('openFixtureSource guesses platform and arch from the dump', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['x86_64-amd-zen4', 'linux', 'x86_64'],
    ['aarch64-aws-graviton3', 'linux', 'aarch64'],
    ['armv7-raspberry-pi-3', 'linux', 'armv7l'],
    ['riscv64-starfive-visionfive2', 'linux', 'riscv64'],
    ['ppc64-ibm-power7', 'linux', 'ppc64'],
    ['aarch64-apple-m4-max', 'darwin', 'arm64'],
    ['x86_64-intel-skylake-i7-6700k-macos', 'darwin', 'x86_64']
  ]
  for (const [folder, platform, arch] of cases) {
    const src = await openFixtureSource(FIXTURES + folder)
    t.same([src.platform, src.arch], [platform, arch], folder)
  }
  const forced = await openFixtureSource(FIXTURES + 'x86_64-amd-zen4', { arch: 'x86_64', platform: 'linux', release: '5.4' })
  t.equal(forced.release, '5.4')
})

t.test('openFixtureSource: a missing or empty folder is invalid input with a way out', async (t) => {
  await t.rejects(openFixtureSource('/nope/not/here'), { name: 'InvalidInputError', code: 'E_NOT_FOUND', exitCode: 3 })
  const err = await openFixtureSource(t.testdir({ 'a.txt': '' })).catch((e: unknown) => e)
  t.ok(err instanceof InvalidInputError)
  t.match((err as InvalidInputError).suggestions.join(' '), /proc\/cpuinfo/)
})

t.test('an aborted signal stops detection', async (t) => {
  const ac = new AbortController()
  ac.abort()
  await t.rejects(detectHardware({ signal: ac.signal }), AbortedError)
})

t.test('this machine, through the real system source', async (t) => {
  const hw = await detectHardware({ source: systemSource() })
  t.equal(hw.archRaw, os.machine())
  if (process.arch === 'x64') t.equal(hw.arch, 'x86_64')
  if (process.arch === 'arm64') t.equal(hw.arch, 'aarch64')
  t.equal(hw.os.platform, process.platform)
  t.equal(hw.cpu.logicalCores, os.cpus().length, 'online CPUs, as the os module counts them')
  t.ok(hw.cpu.physicalCores >= 1 && hw.cpu.physicalCores <= hw.cpu.logicalCores)
  t.ok(hw.memory.totalBytes > 0 && Math.abs(hw.memory.totalBytes - os.totalmem()) / os.totalmem() < 0.05, 'total memory close to os.totalmem()')
  t.ok(hw.memory.availableBytes > 0 && hw.memory.availableBytes <= hw.memory.totalBytes)
  t.ok(hw.maxVectorWidthBits >= 128)
  if (hw.limits.cpus !== null) t.ok(hw.limits.cpus <= hw.cpu.logicalCores)
  t.equal(hw.wasm.simd, true)
})
