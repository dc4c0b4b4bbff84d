import t from 'tap'
import { detectHardware, fixtureSource, parseNvidiaSmi } from '../../../src/runtime/hal/index.js'
import { gpusFromDrm } from '../../../src/runtime/hal/gpu.js'
import { npusFrom } from '../../../src/runtime/hal/npu.js'

t.test('nvidia-smi CSV: names and memory in MiB', async (t) => {
  t.same(parseNvidiaSmi('NVIDIA A100-SXM4-40GB, 40960\nNVIDIA GeForce RTX 4090, 24564\n'), [
    { vendor: 'nvidia', name: 'NVIDIA A100-SXM4-40GB', memoryBytes: 40960 * 2 ** 20, source: 'nvidia-smi' },
    { vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4090', memoryBytes: 24564 * 2 ** 20, source: 'nvidia-smi' }
  ])
  t.same(parseNvidiaSmi('Some GPU, [N/A]\n'), [{ vendor: 'nvidia', name: 'Some GPU', source: 'nvidia-smi' }], 'unknown memory is left out')
  t.same(parseNvidiaSmi(''), [])
})

t.test('DRM cards: GPU makers by PCI vendor; display-only adapters are skipped', async (t) => {
  t.same(gpusFromDrm([
    { card: 'card0', vendor: '0x1a03', device: '0x2000', driver: 'ast' },
    { card: 'card1', vendor: '0x1002', device: '0x744c', driver: 'amdgpu' },
    { card: 'card2', vendor: '0x8086', device: '0x46a6', driver: 'i915' },
    { card: 'card3', driver: 'v3d' },
    { card: 'card4', driver: 'vc4' }
  ]).map((g) => [g.vendor, g.name]), [
    ['amd', 'AMD GPU (PCI 1002:744c, driver amdgpu)'],
    ['intel', 'Intel GPU (PCI 8086:46a6, driver i915)'],
    ['other', 'Broadcom VideoCore (v3d)']
  ])
})

t.test('GPUs through a source: nvidia-smi wins over its own DRM entry', async (t) => {
  const dir = t.testdir({
    'nvidia-smi.txt': 'NVIDIA L4, 23034\n',
    sys: { class: { drm: { card0: { device: { vendor: '0x10de\n', device: '0x27b8\n', uevent: 'DRIVER=nvidia\n' } }, 'card0-DP-1': {} } } }
  })
  const hw = await detectHardware({ source: fixtureSource(dir, { platform: 'linux', arch: 'x86_64' }) })
  t.same(hw.gpus, [{ vendor: 'nvidia', name: 'NVIDIA L4', memoryBytes: 23034 * 2 ** 20, source: 'nvidia-smi' }])
})

t.test('NPU hints', async (t) => {
  t.same(npusFrom({ accel: [{ name: 'accel0', driver: 'intel_vpu' }], intelVpuModule: true, compatible: [], appleSilicon: false }), ['intel-npu'], 'named once')
  t.same(npusFrom({ accel: [{ name: 'accel0' }], intelVpuModule: false, compatible: ['radxa,rock-5b', 'rockchip,rk3588'], appleSilicon: false }), ['accel:accel0', 'rockchip-npu'])
  t.same(npusFrom({ accel: [], intelVpuModule: false, compatible: ['nvidia,tegra234'], appleSilicon: true }), ['nvidia-dla', 'apple-neural-engine'])
  t.same(npusFrom({ accel: [], intelVpuModule: false, compatible: [], appleSilicon: false }), [])
})
