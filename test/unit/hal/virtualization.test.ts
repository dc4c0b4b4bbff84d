import t from 'tap'
import { detectVirtualization } from '../../../src/runtime/hal/index.js'

const dmi = (sysVendor: string, productName: string): { dmi: { sysVendor: string, productName: string } } => ({ dmi: { sysVendor, productName } })

t.test('VMs from the hypervisor flag and DMI', async (t) => {
  t.same(detectVirtualization({ cpuFlags: new Set(['fpu', 'hypervisor']) }), { vm: true, container: false })
  t.same(detectVirtualization({ platform: dmi('QEMU', 'Standard PC (Q35 + ICH9, 2009)') }), { vm: true, hypervisor: 'qemu', container: false })
  t.same(detectVirtualization({ platform: dmi('Amazon EC2', 'm7g.large') }), { vm: true, hypervisor: 'aws-nitro', container: false })
  t.same(detectVirtualization({ platform: dmi('Amazon EC2', 'm7g.metal') }), { vm: false, container: false }, 'EC2 bare metal')
  t.same(detectVirtualization({ platform: dmi('Microsoft Corporation', 'Virtual Machine') }), { vm: true, hypervisor: 'hyper-v', container: false })
  t.same(detectVirtualization({ platform: dmi('Dell Inc.', 'PowerEdge R630') }), { vm: false, container: false })
  t.equal(detectVirtualization({ release: '5.15.167.4-microsoft-standard-WSL2' }).hypervisor, 'wsl2')
  t.equal(detectVirtualization({ sysctl: { 'kern.hv_vmm_present': '1' } }).vm, true, 'a macOS guest')
})

t.test('containers: marker files, the container variable, PID 1 cgroup', async (t) => {
  t.same(detectVirtualization({ dockerenv: true }), { vm: false, container: true, containerRuntime: 'docker' })
  t.equal(detectVirtualization({ containerenv: true }).containerRuntime, 'podman')
  t.equal(detectVirtualization({ env: { container: 'systemd-nspawn' } }).containerRuntime, 'systemd-nspawn')
  t.equal(detectVirtualization({ initCgroup: '0::/kubepods/besteffort/pod1/abc\n' }).containerRuntime, 'kubernetes')
  t.equal(detectVirtualization({ initCgroup: '12:cpu:/docker/0123abcd\n' }).containerRuntime, 'docker')
  t.equal(detectVirtualization({ initCgroup: '0::/init.scope\n' }).container, false, 'a normal host')
})
