import type { HardwareProfile } from '../../src/runtime/hal/types.js'

/** A hand-made profile of an x86_64 Linux machine, for tests that must not depend on the host. */
export function fakeX86Profile (overrides: Partial<HardwareProfile> = {}): HardwareProfile {
  return {
    arch: 'x86_64',
    archRaw: 'x86_64',
    os: { platform: 'linux', release: '6.1.0' },
    cpu: { vendor: 'GenuineIntel', model: 'Test CPU', physicalCores: 2, logicalCores: 2 },
    simd: ['sse4.2', 'avx', 'avx2', 'fma', 'avx512f'],
    maxVectorWidthBits: 512,
    memory: { totalBytes: 8 * 2 ** 30, availableBytes: 4 * 2 ** 30 },
    limits: { cpus: 2, memoryBytes: null, source: 'none' },
    gpus: [],
    npus: [],
    board: null,
    virtualization: { vm: false, container: false },
    wasm: { simd: true, relaxedSimd: true, threads: true, memory64: false, exceptions: true },
    support: 'runs',
    ...overrides
  }
}
