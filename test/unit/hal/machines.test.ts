// Real machines, from the dumps in test/fixtures/hal (see SOURCES.md there).
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { detectHardware, fixtureSource, maxVectorWidth, type HardwareProfile } from '../../../src/runtime/hal/index.js'

const FIXTURES = fileURLToPath(new URL('../../fixtures/hal/', import.meta.url))
const KiB = 1024

async function machine (folder: string, platform: string, arch: string): Promise<HardwareProfile> {
  return await detectHardware({ source: fixtureSource(FIXTURES + folder, { platform, arch }) })
}

const AVX512_AMX = ['avx512f', 'avx512bw', 'avx512vl', 'avx512vnni', 'avx512bf16', 'avx512fp16', 'amx-tile', 'amx-int8', 'amx-bf16']

t.test('this machine: a 2-vCPU KVM guest on a Xeon with AVX-512 and AMX', async (t) => {
  const hw = await machine('x86_64-local-xeon-avx512-amx', 'linux', 'x86_64')
  t.equal(hw.arch, 'x86_64')
  t.equal(hw.cpu.vendor, 'Intel')
  t.match(hw.cpu.model, /Xeon/)
  for (const f of ['sse4.2', 'avx', 'avx2', 'fma', ...AVX512_AMX]) t.ok(hw.simd.includes(f), f)
  t.equal(hw.maxVectorWidthBits, 512)
  t.equal(maxVectorWidth(hw), 512, 'the exported function agrees with the profile field')
  t.equal(hw.cpu.logicalCores, 2)
  t.equal(hw.cpu.physicalCores, 2, 'two cores in one package, no SMT, from sysfs topology')
  t.equal(hw.memory.totalBytes, 24684084 * KiB, '~23.5 GiB MemTotal')
  t.equal(hw.memory.availableBytes, 24222728 * KiB)
  t.equal(hw.virtualization.vm, true, 'the hypervisor CPU flag')
  t.equal(hw.virtualization.container, false)
  t.equal(hw.support, 'runs')
  t.same(hw.cpu.ids, { family: '6', model: '167', stepping: '1' })
})

t.test('AMD Zen 4 (EPYC 9654): AVX-512 with BF16 but no AMX or FP16', async (t) => {
  const hw = await machine('x86_64-amd-zen4', 'linux', 'x86_64')
  t.equal(hw.cpu.vendor, 'AMD')
  t.match(hw.cpu.model, /EPYC 9654/)
  for (const f of ['avx512f', 'avx512bw', 'avx512vl', 'avx512vnni', 'avx512bf16']) t.ok(hw.simd.includes(f), f)
  for (const f of ['avx512fp16', 'amx-tile', 'amx-int8', 'amx-bf16']) t.notOk(hw.simd.includes(f), `no ${f}`)
  t.equal(hw.maxVectorWidthBits, 512)
  t.equal(hw.cpu.logicalCores, 1, 'a single-processor excerpt says nothing about the count')
  t.equal(hw.cpu.physicalCores, 1, 'never more cores than threads')
  t.equal(hw.virtualization.vm, false)
})

t.test('Haswell Xeon with CPUs offline: AVX2 and FMA, 256-bit, only online CPUs count', async (t) => {
  const hw = await machine('x86_64-intel-haswell-xeon-e5-2680v3', 'linux', 'x86_64')
  t.ok(hw.simd.includes('avx2') && hw.simd.includes('fma'))
  t.notOk(hw.simd.includes('avx512f'))
  t.equal(hw.maxVectorWidthBits, 256)
  t.equal(hw.cpu.logicalCores, 17, 'online is 4-20')
  t.equal(hw.cpu.physicalCores, 17, 'no SMT: one thread per (physical id, core id) pair of the online CPUs')
  t.same(hw.board, { kind: 'other', model: 'Dell Inc. PowerEdge R630', evidence: 'DMI' })
  t.equal(hw.virtualization.vm, false, 'Dell DMI, no hypervisor flag')
})

t.test('Alder Lake laptop: AVX-512 fused off → 256-bit; 12 cores, 16 threads', async (t) => {
  const hw = await machine('x86_64-intel-alder-lake-i7-1270p', 'linux', 'x86_64')
  t.notOk(hw.simd.includes('avx512f'))
  t.equal(hw.maxVectorWidthBits, 256)
  t.equal(hw.cpu.logicalCores, 16, 'no `online` file: counted from cpuinfo blocks')
  t.equal(hw.cpu.physicalCores, 12, '4 P-cores with 2 threads + 8 E-cores')
  t.equal(hw.memory.totalBytes, 32542668 * KiB)
})

t.test('Intel Mac (Skylake) from sysctl: AVX2 from leaf7_features, no AVX-512', async (t) => {
  const hw = await machine('x86_64-intel-skylake-i7-6700k-macos', 'darwin', 'x86_64')
  t.equal(hw.os.platform, 'darwin')
  t.equal(hw.cpu.vendor, 'Intel')
  t.match(hw.cpu.model, /i7-6700K/)
  t.same(hw.simd, ['sse4.2', 'avx', 'avx2', 'fma'])
  t.equal(hw.maxVectorWidthBits, 256)
  t.equal(hw.board, null)
})

t.test('AWS Graviton3: SVE with i8mm/bf16/dotprod, no SVE2; 256-bit from the known-core table', async (t) => {
  const hw = await machine('aarch64-aws-graviton3', 'linux', 'aarch64')
  t.equal(hw.arch, 'aarch64')
  t.same(hw.simd, ['neon', 'sve', 'dotprod', 'i8mm', 'bf16'])
  t.equal(hw.cpu.model, 'Neoverse V1')
  t.same(hw.board, { kind: 'aws-graviton', model: 'AWS Graviton3', evidence: 'cpu part 0xd40 (Neoverse V1) alone; no DMI to confirm' })
  t.equal(hw.maxVectorWidthBits, 256)
  t.equal(hw.maxVectorWidthSource, 'known-core')
  t.equal(hw.sveVectorLengthBits, undefined, 'the dump has no /proc/sys/abi/sve_default_vector_length')
  t.equal(hw.support, 'runs')
})

t.test('Neoverse N1 and V2 and Cortex-A72 without Amazon DMI are not called Graviton', async (t) => {
  const g2 = await machine('aarch64-aws-graviton2', 'linux', 'aarch64')
  t.equal(g2.cpu.model, 'Neoverse N1')
  t.equal(g2.board, null, 'N1 is also Ampere Altra; this dump has no DMI')
  t.same(g2.simd, ['neon', 'dotprod'])
  t.equal(g2.maxVectorWidthBits, 128)
  t.equal(g2.memory.totalBytes, 1888980 * KiB)
  const a1 = await machine('aarch64-aws-graviton1-a1', 'linux', 'aarch64')
  t.equal(a1.board, null, 'Cortex-A72 is also the Raspberry Pi 4')
  const grace = await machine('aarch64-nvidia-grace', 'linux', 'aarch64')
  t.equal(grace.board, null, 'Neoverse V2 is Graviton4, but also this NVIDIA Grace')
  t.ok(grace.simd.includes('sve2'))
  t.equal(grace.maxVectorWidthBits, 128)
  t.equal(grace.maxVectorWidthSource, 'assumed')
})

t.test('Raspberry Pi 3 on a 32-bit kernel: arm, NEON, board from the revision code, detect-only', async (t) => {
  const hw = await machine('armv7-raspberry-pi-3', 'linux', 'armv7l')
  t.equal(hw.arch, 'arm')
  t.equal(hw.archRaw, 'armv7l')
  t.same(hw.simd, ['neon'])
  t.equal(hw.cpu.model, 'Cortex-A53')
  t.equal(hw.cpu.logicalCores, 4)
  t.equal(hw.board?.kind, 'raspberry-pi')
  t.equal(hw.board?.model, 'Raspberry Pi 3 Model B (1 GB)')
  t.equal(hw.support, 'detect-only')
})

t.test('NVIDIA Jetson TX1 and a Snapdragon phone', async (t) => {
  const jetson = await machine('aarch64-nvidia-jetson-tx1', 'linux', 'aarch64')
  t.same(jetson.board, { kind: 'nvidia-jetson', model: 'NVIDIA Jetson TX1', evidence: 'cpuinfo Hardware' })
  t.equal(jetson.cpu.logicalCores, 4)
  const phone = await machine('aarch64-qualcomm-sm8550-a510-a710-a715-x3', 'linux', 'aarch64')
  t.same(phone.simd, ['neon', 'dotprod', 'i8mm', 'bf16'], 'i8mm and bf16, SVE disabled by firmware')
  t.equal(phone.cpu.model, '3× Cortex-A510 + 2× Cortex-A715 + 2× Cortex-A710 + 1× Cortex-X3')
  t.equal(phone.cpu.logicalCores, 8)
})

t.test('Apple M1 Pro and M4 Max from macOS sysctl', async (t) => {
  const m1 = await machine('aarch64-apple-m1-pro', 'darwin', 'arm64')
  t.equal(m1.arch, 'aarch64')
  t.equal(m1.archRaw, 'arm64')
  t.same(m1.board, { kind: 'apple-silicon', model: 'Apple M1 Pro', evidence: 'macOS sysctl' })
  t.equal(m1.memory.totalBytes, 17179869184, 'hw.memsize')
  t.equal(m1.cpu.logicalCores, 8)
  t.notOk(m1.simd.includes('i8mm') || m1.simd.includes('bf16'), 'M1 has neither')
  t.ok(m1.npus.includes('apple-neural-engine'))
  t.equal(m1.gpus[0]?.vendor, 'apple')
  t.equal(m1.support, 'runs')
  const m4 = await machine('aarch64-apple-m4-max', 'darwin', 'arm64')
  t.same(m4.simd, ['neon', 'sme', 'sme2', 'dotprod', 'i8mm', 'bf16'])
  t.equal(m4.memory.totalBytes, 64 * 1024 ** 3)
  t.equal(m4.cpu.logicalCores, 16)
  t.equal(m4.maxVectorWidthBits, 128, 'SME streaming vectors do not count')
  const asahi = await machine('aarch64-apple-m1-asahi-linux', 'linux', 'aarch64')
  t.equal(asahi.board?.kind, 'apple-silicon', 'Asahi Linux: CPU implementer 0x61')
  t.equal(asahi.cpu.vendor, 'Apple')
})

t.test('RISC-V boards: SiFive without vectors, RVV 1.0 on SpacemiT, T-Head vectors on SG2042', async (t) => {
  const vf2 = await machine('riscv64-starfive-visionfive2', 'linux', 'riscv64')
  t.equal(vf2.arch, 'riscv64')
  t.same(vf2.board, { kind: 'sifive', model: 'SiFive U74-MC', evidence: 'mvendorid 0x489 (SiFive)' })
  t.same(vf2.simd, [])
  t.equal(vf2.maxVectorWidthBits, 0)
  t.equal(vf2.cpu.logicalCores, 4)
  t.equal(vf2.support, 'detect-only')
  const k1 = await machine('riscv64-spacemit-k1-bananapi-f3', 'linux', 'riscv64')
  t.same(k1.simd, ['rvv'])
  t.equal(k1.riscvVlenBits, 256)
  t.equal(k1.maxVectorWidthBits, 256)
  t.equal(k1.maxVectorWidthSource, 'known-core')
  const sg = await machine('riscv64-sophgo-sg2042-milkv-pioneer', 'linux', 'riscv64')
  t.same(sg.simd, ['xtheadvector'], 'a bare "v" from a T-Head vendor kernel is RVV 0.7.1, not RVV 1.0')
  t.equal(sg.cpu.vendor, 'T-Head')
  t.equal(sg.cpu.logicalCores, 64)
})

t.test('an architecture mielin does not name: POWER7 is other, detect-only', async (t) => {
  const hw = await machine('ppc64-ibm-power7', 'linux', 'ppc64')
  t.equal(hw.arch, 'other')
  t.equal(hw.archRaw, 'ppc64')
  t.equal(hw.support, 'detect-only')
  t.equal(hw.cpu.logicalCores, 16)
  t.equal(hw.maxVectorWidthBits, 0)
})
