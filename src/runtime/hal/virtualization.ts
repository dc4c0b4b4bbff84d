import type { VirtualizationInfo } from './types.js'
import type { HalSource } from './source.js'
import type { PlatformFacts } from './platform-facts.js'

export interface VirtualizationFacts {
  /** x86 cpuinfo flags; the `hypervisor` flag is CPUID leaf 1 ECX bit 31, set by every hypervisor. */
  cpuFlags?: ReadonlySet<string>
  platform?: Pick<PlatformFacts, 'dmi' | 'hypervisorType'>
  /** Kernel release; WSL 2 kernels end in `-microsoft-standard-WSL2`. */
  release?: string
  /** macOS `kern.hv_vmm_present` (1 inside a macOS virtual machine). */
  sysctl?: Record<string, string>
  dockerenv?: boolean
  containerenv?: boolean
  env?: Readonly<Record<string, string | undefined>>
  /** /proc/1/cgroup: the cgroup of PID 1 names the container manager on many hosts. */
  initCgroup?: string
}

/** DMI vendor/product strings of hypervisors and clouds → a short hypervisor name. */
const DMI_HYPERVISORS: ReadonlyArray<[RegExp, string]> = [
  [/KVM/, 'kvm'],
  [/^QEMU/i, 'qemu'],
  [/^Amazon EC2/i, 'aws-nitro'],
  [/^Google/i, 'gce'],
  [/^VMware/i, 'vmware'],
  [/innotek|VirtualBox/i, 'virtualbox'],
  [/^Xen/i, 'xen'],
  [/^Parallels/i, 'parallels'],
  [/^OpenStack/i, 'openstack'],
  [/^Bochs/i, 'bochs']
]

/** Pure: VM and container hints → what the profile reports. */
export function detectVirtualization (f: VirtualizationFacts): VirtualizationInfo {
  const { sysVendor = '', productName = '' } = f.platform?.dmi ?? {}
  let hypervisor: string | undefined
  for (const [re, name] of DMI_HYPERVISORS) {
    if (re.test(sysVendor) || re.test(productName)) { hypervisor = name; break }
  }
  if (hypervisor === undefined && /^Microsoft/i.test(sysVendor) && /Virtual Machine/i.test(productName)) hypervisor = 'hyper-v'
  if (hypervisor === undefined && f.platform?.hypervisorType !== undefined) hypervisor = f.platform.hypervisorType
  if (/microsoft.*wsl2?/i.test(f.release ?? '')) hypervisor = 'wsl2'
  // EC2 bare-metal instances (`*.metal`) carry Amazon's DMI strings but run no hypervisor.
  if (hypervisor === 'aws-nitro' && /\.metal/.test(productName)) hypervisor = undefined
  // macOS on Intel names the same CPUID bit `VMM` in machdep.cpu.features.
  const flag = f.cpuFlags?.has('hypervisor') === true || (f.sysctl?.['machdep.cpu.features'] ?? '').split(/\s+/).includes('VMM')
  const vm = flag || hypervisor !== undefined || f.sysctl?.['kern.hv_vmm_present'] === '1'

  const containerRuntime = containerOf(f)
  return {
    vm,
    ...(hypervisor === undefined ? {} : { hypervisor }),
    container: containerRuntime !== undefined,
    ...(containerRuntime === undefined ? {} : { containerRuntime })
  }
}

function containerOf (f: VirtualizationFacts): string | undefined {
  const envContainer = f.env?.container
  if (envContainer !== undefined && envContainer !== '') return envContainer
  const cg = f.initCgroup ?? ''
  if (f.env?.KUBERNETES_SERVICE_HOST !== undefined || /kubepods/.test(cg)) return 'kubernetes'
  if (f.containerenv === true || /libpod/.test(cg)) return 'podman'
  if (f.dockerenv === true || /\/docker[/-]/.test(cg)) return 'docker'
  if (/\/lxc[/.]/.test(cg)) return 'lxc'
  if (/containerd/.test(cg)) return 'containerd'
  return undefined
}

/** Reads the container hints that are plain files. */
export async function readContainerFacts (source: HalSource): Promise<Pick<VirtualizationFacts, 'dockerenv' | 'containerenv' | 'initCgroup' | 'env'>> {
  const [dockerenv, containerenv, initCgroup] = await Promise.all([
    source.readFile('/.dockerenv'), source.readFile('/run/.containerenv'), source.readFile('/proc/1/cgroup')
  ])
  return { dockerenv: dockerenv !== undefined, containerenv: containerenv !== undefined, initCgroup, env: source.env ?? {} }
}
