// `mielin hw …` exactly as a user types it (needs `npm run build`: bin/run.js loads dist/).
import os from 'node:os'
import t from 'tap'
import type { HardwareProfile } from '../../src/runtime/hal/index.js'
import { mielin } from '../helpers/cli.js'

t.test('hw --json describes this machine', async (t) => {
  const r = await mielin(['hw', '--json'])
  t.equal(r.exitCode, 0, String(r.stderr))
  const hw = JSON.parse(String(r.stdout)) as HardwareProfile
  if (process.arch === 'x64') t.equal(hw.arch, 'x86_64')
  if (process.arch === 'arm64') t.equal(hw.arch, 'aarch64')
  t.equal(hw.archRaw, os.machine())
  t.equal(hw.os.platform, process.platform)
  t.equal(hw.cpu.logicalCores, os.cpus().length, 'online CPUs')
  t.ok(hw.cpu.logicalCores >= os.availableParallelism(), 'never fewer than the CPUs this process may run on')
  t.ok(Math.abs(hw.memory.totalBytes - os.totalmem()) / os.totalmem() < 0.05, 'total memory matches os.totalmem()')
  t.ok(hw.maxVectorWidthBits >= 128)
  t.equal(hw.wasm.simd, true)
  t.ok(['runs', 'detect-only'].includes(hw.support))
})

t.test('hw prints a short human summary', async (t) => {
  const r = await mielin(['hw'])
  t.equal(r.exitCode, 0, String(r.stderr))
  const out = String(r.stdout)
  t.match(out, /^Machine\s+\S+/m)
  t.match(out, new RegExp(`^CPU\\s+.*${os.cpus().length} (core|thread)`, 'm'))
  t.match(out, /^SIMD\s+.*-bit vectors/m)
  t.match(out, /^WebAssembly\s+.*simd/m)
  t.notMatch(out, /^\s*\{/, 'no JSON without --json')
})

t.test('hw --fixture reads a saved machine instead', async (t) => {
  const r = await mielin(['hw', '--fixture', 'test/fixtures/hal/x86_64-amd-zen4', '--json'])
  t.equal(r.exitCode, 0, String(r.stderr))
  const hw = JSON.parse(String(r.stdout)) as HardwareProfile
  t.equal(hw.arch, 'x86_64', 'guessed from the dump')
  t.equal(hw.cpu.vendor, 'AMD')
  t.ok(hw.simd.includes('avx512bf16'))
  t.notOk(hw.simd.includes('amx-tile'))
  const pi = await mielin(['hw', '--fixture', 'test/fixtures/hal/armv7-raspberry-pi-3'])
  t.equal(pi.exitCode, 0, String(pi.stderr))
  t.match(String(pi.stdout), /Raspberry Pi 3 Model B/)
  t.match(String(pi.stdout), /detect-only/)
})

t.test('hw --fixture with a folder that does not exist: exit 3 and how to fix it', async (t) => {
  const r = await mielin(['hw', '--fixture', '/nope'])
  t.equal(r.exitCode, 3)
  t.match(String(r.stderr), /^Code: E_[A-Z_]+$/m)
  t.match(String(r.stderr), /Try this: .*--fixture/)
  const json = await mielin(['hw', '--fixture', '/nope', '--json'])
  t.equal(json.exitCode, 3)
  t.match(JSON.parse(String(json.stdout)), { error: { code: 'E_NOT_FOUND', exitCode: 3 } })
})

t.test('--arch without --fixture is a usage error', async (t) => {
  const r = await mielin(['hw', '--arch', 'aarch64'])
  t.equal(r.exitCode, 2)
  t.match(String(r.stderr), /Code: E_USAGE/)
})
