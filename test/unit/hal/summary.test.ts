import { fileURLToPath } from 'node:url'
import t from 'tap'
import { detectHardware, fixtureSource, summarizeHardware } from '../../../src/runtime/hal/index.js'

const FIXTURES = fileURLToPath(new URL('../../fixtures/hal/', import.meta.url))

t.test('the summary a user reads for the Xeon dump', async (t) => {
  const hw = await detectHardware({ source: fixtureSource(FIXTURES + 'x86_64-local-xeon-avx512-amx', { platform: 'linux', arch: 'x86_64', release: '6.18' }) })
  const lines = summarizeHardware(hw)
  const text = lines.join('\n')
  t.match(text, /^Machine\s+x86_64, linux 6\.18$/m)
  t.match(text, /^CPU\s+Intel\(R\) Xeon\(R\) Processor — 2 cores$/m, 'vendor not repeated when the model names it')
  t.match(text, /^SIMD\s+.*avx512f.*amx-bf16 \(512-bit vectors\)$/m)
  t.match(text, /^Memory\s+23\.5 GiB total, 23\.1 GiB available$/m)
  t.match(text, /^Virtualization\s+virtual machine$/m)
  t.match(text, /^Support\s+runs/m)
  t.ok(lines.every((l) => l.length < 200), 'short lines')
})

t.test('the summary says what is assumed and what cannot run', async (t) => {
  const grace = await detectHardware({ source: fixtureSource(FIXTURES + 'aarch64-nvidia-grace', { platform: 'linux', arch: 'aarch64' }) })
  t.match(summarizeHardware(grace).join('\n'), /128-bit vectors, assumed/)
  const pi = await detectHardware({ source: fixtureSource(FIXTURES + 'armv7-raspberry-pi-3', { platform: 'linux', arch: 'armv7l' }) })
  const text = summarizeHardware(pi).join('\n')
  t.match(text, /^Machine\s+arm \(armv7l\)/m)
  t.match(text, /^Board\s+Raspberry Pi 3 Model B \(1 GB\) \(raspberry-pi\)$/m)
  t.match(text, /^Support\s+detect-only/m)
})
