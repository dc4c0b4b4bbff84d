import type { HalSource } from './source.js'

/** Firmware-level descriptions of the machine, shared by board, VM and NPU detection. */
export interface PlatformFacts {
  /** SMBIOS/DMI strings (x86 PCs and servers, Arm servers with UEFI). */
  dmi: { sysVendor?: string, productName?: string, boardVendor?: string, biosVendor?: string }
  /** Device tree (Arm and RISC-V boards): `model` and the `compatible` list, most specific first. */
  deviceTree: { model?: string, compatible: string[] }
  /** /sys/hypervisor/type ('xen') when the kernel runs as a paravirtualized guest. */
  hypervisorType?: string
}

const DMI_DIRS = ['/sys/class/dmi/id', '/sys/devices/virtual/dmi/id']
const DT_DIRS = ['/proc/device-tree', '/sys/firmware/devicetree/base']

/** DMI values firmware vendors leave unfilled; they describe nothing. */
const PLACEHOLDER = /^(to be filled by o\.?e\.?m\.?|system product name|system manufacturer|default string|not specified|none|0+|)$/i

export async function readPlatformFacts (source: HalSource): Promise<PlatformFacts> {
  const first = async (dirs: string[], file: string): Promise<string | undefined> => {
    for (const dir of dirs) {
      const text = await source.readFile(`${dir}/${file}`)
      if (text !== undefined) return text
    }
    return undefined
  }
  const dmi = async (file: string): Promise<string | undefined> => {
    const v = (await first(DMI_DIRS, file))?.trim()
    return v === undefined || PLACEHOLDER.test(v) ? undefined : v
  }
  const [sysVendor, productName, boardVendor, biosVendor, model, compatible, hypervisorType] = await Promise.all([
    dmi('sys_vendor'), dmi('product_name'), dmi('board_vendor'), dmi('bios_vendor'),
    first(DT_DIRS, 'model'), first(DT_DIRS, 'compatible'), source.readFile('/sys/hypervisor/type')
  ])
  return {
    dmi: { sysVendor, productName, boardVendor, biosVendor },
    deviceTree: {
      // Device-tree strings end with NUL; `compatible` is a NUL-separated list.
      model: model?.replace(/\0+$/, '').trim() || undefined,
      compatible: (compatible ?? '').split('\0').map((c) => c.trim()).filter((c) => c !== '')
    },
    hypervisorType: hypervisorType?.trim() || undefined
  }
}
