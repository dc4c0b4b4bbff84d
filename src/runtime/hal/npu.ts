import type { HalSource } from './source.js'
import type { PlatformFacts } from './platform-facts.js'

/** Kernel drivers of the DRM accel subsystem (/sys/class/accel) and what they drive. */
const ACCEL_DRIVERS: Record<string, string> = {
  intel_vpu: 'intel-npu',
  amdxdna: 'amd-xdna-npu',
  qaic: 'qualcomm-cloud-ai',
  habanalabs: 'habana-gaudi',
  rocket: 'rockchip-npu'
}

/** Device-tree `compatible` prefixes of SoCs with an on-chip NPU or DLA. */
const SOC_NPUS: ReadonlyArray<[RegExp, string]> = [
  [/^rockchip,(rk3588|rk3588s|rk3576|rk3568|rk3566|rk3399pro|rv1126|rv1109|rv1106)$/, 'rockchip-npu'],
  [/^nvidia,(tegra194|tegra234)$/, 'nvidia-dla']
]

export interface NpuFacts {
  /** accel devices (accel0, …) with their driver names, when known. */
  accel: Array<{ name: string, driver?: string }>
  /** /sys/module/intel_vpu exists: Intel's NPU driver is loaded. */
  intelVpuModule: boolean
  compatible: string[]
  appleSilicon: boolean
}

/** Pure: NPU hints, each named once. They say a device is there, not that mielin can use it. */
export function npusFrom (f: NpuFacts): string[] {
  const found = new Set<string>()
  for (const a of f.accel) found.add(a.driver !== undefined ? ACCEL_DRIVERS[a.driver] ?? `accel:${a.driver}` : `accel:${a.name}`)
  if (f.intelVpuModule) found.add('intel-npu')
  for (const c of f.compatible) for (const [re, name] of SOC_NPUS) if (re.test(c)) found.add(name)
  // Every Apple Silicon Mac has a Neural Engine; macOS exposes it only through Core ML.
  if (f.appleSilicon) found.add('apple-neural-engine')
  return [...found]
}

export async function readNpus (source: HalSource, facts: PlatformFacts, appleSilicon: boolean): Promise<string[]> {
  const [sysAccel, devAccel, intelVpu] = await Promise.all([
    source.listDir('/sys/class/accel'), source.listDir('/dev/accel'), source.listDir('/sys/module/intel_vpu')
  ])
  const names = [...new Set([...sysAccel, ...devAccel])].filter((n) => /^accel\d+$/.test(n)).sort()
  const accel = await Promise.all(names.map(async (name) => {
    const uevent = await source.readFile(`/sys/class/accel/${name}/device/uevent`)
    const driver = /^DRIVER=(.+)$/m.exec(uevent ?? '')?.[1]?.trim()
    return driver === undefined ? { name } : { name, driver }
  }))
  return npusFrom({ accel, intelVpuModule: intelVpu.length > 0, compatible: facts.deviceTree.compatible, appleSilicon })
}
