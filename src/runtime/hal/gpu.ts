import type { GpuInfo } from './types.js'
import type { HalSource } from './source.js'

const MiB = 1024 * 1024

/**
 * Parses `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits`:
 * one GPU per line, "NVIDIA A100-SXM4-40GB, 40960" (memory in MiB, or "[N/A]").
 */
export function parseNvidiaSmi (csv: string): GpuInfo[] {
  const gpus: GpuInfo[] = []
  for (const line of csv.split('\n')) {
    const i = line.lastIndexOf(',')
    const name = (i < 0 ? line : line.slice(0, i)).trim()
    if (name === '') continue
    const mib = i < 0 ? NaN : Number(line.slice(i + 1).trim())
    gpus.push({ vendor: 'nvidia', name, ...(Number.isFinite(mib) && mib > 0 ? { memoryBytes: mib * MiB } : {}), source: 'nvidia-smi' })
  }
  return gpus
}

/** PCI vendor ids of GPU makers, as /sys/class/drm/cardN/device/vendor shows them. */
const PCI_VENDORS: Record<string, { vendor: GpuInfo['vendor'], label: string }> = {
  '0x10de': { vendor: 'nvidia', label: 'NVIDIA' },
  '0x1002': { vendor: 'amd', label: 'AMD' },
  '0x8086': { vendor: 'intel', label: 'Intel' }
}

/** Drivers of SoC GPUs that have no PCI vendor (Raspberry Pi, Arm Mali, Vivante, Adreno). */
const SOC_GPU_DRIVERS: Record<string, string> = {
  v3d: 'Broadcom VideoCore (v3d)',
  panfrost: 'Arm Mali (panfrost)',
  panthor: 'Arm Mali (panthor)',
  lima: 'Arm Mali (lima)',
  etnaviv: 'Vivante (etnaviv)',
  msm: 'Qualcomm Adreno (msm)',
  'tegra-drm': 'NVIDIA Tegra'
}

/** One DRM card as sysfs describes it. */
export interface DrmCard {
  card: string
  vendor?: string
  device?: string
  driver?: string
}

/**
 * Pure: DRM cards → GPUs. Display-only and virtual adapters (BMC VGA chips, virtio, simpledrm)
 * are not listed: they cannot run anything.
 */
export function gpusFromDrm (cards: DrmCard[]): GpuInfo[] {
  const gpus: GpuInfo[] = []
  for (const c of cards) {
    const pci = c.vendor === undefined ? undefined : PCI_VENDORS[c.vendor.trim().toLowerCase()]
    if (pci !== undefined) {
      const id = c.device === undefined ? '' : ` ${c.vendor?.trim().slice(2)}:${c.device.trim().slice(2)}`
      const driver = c.driver === undefined ? '' : `, driver ${c.driver}`
      gpus.push({ vendor: pci.vendor, name: `${pci.label} GPU (PCI${id}${driver})`, source: 'drm' })
    } else if (c.driver !== undefined && SOC_GPU_DRIVERS[c.driver] !== undefined) {
      gpus.push({ vendor: 'other', name: SOC_GPU_DRIVERS[c.driver], source: 'drm' })
    }
  }
  return gpus
}

/** GPUs: nvidia-smi when installed (names and memory), DRM devices from sysfs, Apple's from sysctl. */
export async function readGpus (source: HalSource, apple: { brand?: string } | undefined, signal?: AbortSignal): Promise<GpuInfo[]> {
  if (apple !== undefined) {
    // Every Apple Silicon chip has an integrated GPU sharing unified memory.
    return [{ vendor: 'apple', name: `${apple.brand ?? 'Apple Silicon'} GPU`, source: 'sysctl' }]
  }
  const [smi, entries] = await Promise.all([
    source.exec('nvidia-smi', ['--query-gpu=name,memory.total', '--format=csv,noheader,nounits'], { signal }),
    source.listDir('/sys/class/drm')
  ])
  const cards = await Promise.all(entries.filter((e) => /^card\d+$/.test(e)).sort().map(async (card): Promise<DrmCard> => {
    const dir = `/sys/class/drm/${card}/device`
    const [vendor, device, uevent] = await Promise.all([source.readFile(`${dir}/vendor`), source.readFile(`${dir}/device`), source.readFile(`${dir}/uevent`)])
    const driver = /^DRIVER=(.+)$/m.exec(uevent ?? '')?.[1]?.trim()
    return { card, vendor: vendor?.trim(), device: device?.trim(), driver }
  }))
  const fromSmi = smi === undefined ? [] : parseNvidiaSmi(smi)
  const fromDrm = gpusFromDrm(cards)
  // nvidia-smi knows names and memory; keep DRM's NVIDIA entries only when it is absent.
  return [...fromSmi, ...fromDrm.filter((g) => fromSmi.length === 0 || g.vendor !== 'nvidia')]
}
