import t from 'tap'
import { x86Features, x86FlagsFromSysctl } from '../../../src/runtime/hal/features/x86.js'
import { armFeaturesFromCpuinfo, armFeaturesFromSysctl } from '../../../src/runtime/hal/features/arm.js'
import { riscvVectorFromIsa } from '../../../src/runtime/hal/features/riscv.js'
import { maxVectorWidth, vectorWidth } from '../../../src/runtime/hal/index.js'

t.test('x86: Linux and macOS spellings give the same canonical names', async (t) => {
  t.same(x86Features('sse4_2 avx avx2 fma avx512f avx512_vnni avx512_bf16 amx_tile amx_int8'.split(' ')),
    ['sse4.2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512vnni', 'avx512bf16', 'amx-tile', 'amx-int8'])
  t.same(x86Features(x86FlagsFromSysctl({ 'machdep.cpu.features': 'SSE4.1 SSE4.2 AVX1.0 FMA', 'machdep.cpu.leaf7_features': 'BMI1 AVX2 AVX512F AVX512BW' })),
    ['sse4.2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512bw'])
  t.same(x86Features(['avx512dq', 'avx_vnni', 'sse4_1']), [], 'features outside the canonical list are not reported')
})

t.test('Arm: cpuinfo and sysctl', async (t) => {
  t.same(armFeaturesFromCpuinfo('fp asimd asimddp sve sve2 sme i8mm bf16 svei8mm'.split(' ')), ['neon', 'sve', 'sve2', 'sme', 'dotprod', 'i8mm', 'bf16'])
  t.same(armFeaturesFromCpuinfo(['half', 'thumb', 'neon', 'vfpv4']), ['neon'], 'arm32 spells NEON as neon')
  t.same(armFeaturesFromCpuinfo(['half', 'thumb', 'vfp']), [], 'an arm32 core without NEON')
  t.same(armFeaturesFromSysctl({ 'hw.optional.neon': '1', 'hw.optional.arm.FEAT_I8MM': '0', 'hw.optional.arm.FEAT_SME': '1' }), ['neon', 'sme'], '0 means absent')
})

t.test('RISC-V: V, T-Head vectors and VLEN from the isa string', async (t) => {
  t.same(riscvVectorFromIsa('rv64imafdc_zicntr_zicsr_zba_zbb'), { simd: [], vlenBits: undefined })
  t.same(riscvVectorFromIsa('rv64imafdcv_zicbom_zve64d_zvfh'), { simd: ['rvv'], vlenBits: undefined })
  t.same(riscvVectorFromIsa('rv64imafdcv_zvl128b_zvl256b'), { simd: ['rvv'], vlenBits: 256 }, 'zvl256b → VLEN ≥ 256')
  t.same(riscvVectorFromIsa('rv64imafdcv', { mvendorid: 0x5b7 }).simd, ['xtheadvector'], 'old T-Head vendor kernels print a bare v')
  t.same(riscvVectorFromIsa('rv64imafdcv', { mvendorid: 0x710 }).simd, ['rvv'], 'other vendors: v is RVV 1.0')
  t.same(riscvVectorFromIsa('rv64imafdc_xtheadvector').simd, ['xtheadvector'], 'mainline kernels name it')
  t.same(riscvVectorFromIsa('rv64imafdcv_zve64d_zvl128b', { mvendorid: 0x5b7 }).simd, ['rvv'], 'a T-Head core with RVV 1.0 sub-extensions listed (C908)')
})

t.test('vector width: what each ISA gives, and how we know', async (t) => {
  t.same(vectorWidth({ arch: 'x86_64', simd: ['sse4.2', 'avx', 'avx2', 'avx512f'] }), { bits: 512, source: 'isa' })
  t.equal(maxVectorWidth({ arch: 'x86_64', simd: ['avx', 'avx2'] }), 256)
  t.equal(maxVectorWidth({ arch: 'x86_64', simd: [] }), 128, 'SSE2 is part of x86-64')
  t.equal(maxVectorWidth({ arch: 'x86_64', simd: ['amx-tile', 'avx2', 'avx'] }), 256, 'AMX tiles are not vectors')
  t.same(vectorWidth({ arch: 'aarch64', simd: ['neon', 'sve'], sveVectorLengthBits: 512 }), { bits: 512, source: 'os' }, 'the kernel wins')
  t.same(vectorWidth({ arch: 'aarch64', simd: ['neon', 'sve'], cpu: { ids: { implementer: '0x41', part: '0xd40' } } }), { bits: 256, source: 'known-core' })
  t.same(vectorWidth({ arch: 'aarch64', simd: ['neon', 'sve'], cpu: { ids: { implementer: '0x46', part: '0x001' } } }), { bits: 512, source: 'known-core' }, 'A64FX')
  t.same(vectorWidth({ arch: 'aarch64', simd: ['neon', 'sve'], cpu: { ids: { implementer: '0x41', part: '0xd49' } } }), { bits: 128, source: 'assumed' })
  t.equal(maxVectorWidth({ arch: 'aarch64', simd: ['neon', 'sme', 'sme2'] }), 128)
  t.equal(maxVectorWidth({ arch: 'arm', simd: [] }), 0, 'arm32 without NEON')
  t.same(vectorWidth({ arch: 'riscv64', simd: ['rvv'] }), { bits: 128, source: 'assumed' }, 'RVV 1.0 minimum for application processors')
  t.same(vectorWidth({ arch: 'riscv64', simd: ['rvv'], riscvVlenBits: 512 }), { bits: 512, source: 'isa' })
  t.equal(maxVectorWidth({ arch: 'riscv64', simd: [] }), 0)
  t.equal(maxVectorWidth({ arch: 'other', simd: [] }), 0)
})
