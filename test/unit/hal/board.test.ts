import t from 'tap'
import { detectBoard, parseCpuinfo } from '../../../src/runtime/hal/index.js'
import { raspberryPiFromRevision } from '../../../src/runtime/hal/raspberry-pi.js'

const linuxArm = { platform: 'linux', arch: 'aarch64' } as const
const dt = (model: string, compatible: string[] = []): { dmi: Record<string, string>, deviceTree: { model: string, compatible: string[] } } =>
  ({ dmi: {}, deviceTree: { model, compatible } })

t.test('Raspberry Pi 4 from its device-tree model (inline string: there is no Pi 4 dump)', async (t) => {
  const board = detectBoard({ ...linuxArm, facts: dt('Raspberry Pi 4 Model B Rev 1.4', ['raspberrypi,4-model-b', 'brcm,bcm2711']) })
  t.same(board, { kind: 'raspberry-pi', model: 'Raspberry Pi 4 Model B Rev 1.4', evidence: 'device-tree model' })
})

t.test('Raspberry Pi revision codes', async (t) => {
  t.equal(raspberryPiFromRevision('c03114'), 'Raspberry Pi 4 Model B (4 GB)')
  t.equal(raspberryPiFromRevision('a02082'), 'Raspberry Pi 3 Model B (1 GB)')
  t.equal(raspberryPiFromRevision('d04170'), 'Raspberry Pi 5 (8 GB)')
  t.equal(raspberryPiFromRevision('000e'), 'Raspberry Pi 1')
  t.equal(raspberryPiFromRevision('0000'), undefined, 'a Jetson prints Revision 0000 too')
  const pi4 = parseCpuinfo('processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xd08\n\nHardware\t: BCM2835\nRevision\t: c03114\n')
  t.equal(detectBoard({ ...linuxArm, cpuinfo: pi4, ids: { implementer: '0x41', part: '0xd08' } })?.model, 'Raspberry Pi 4 Model B (4 GB)', 'a Pi 4 on a newer kernel says BCM2835')
})

t.test('AWS Graviton: DMI proves it, a part number alone mostly does not', async (t) => {
  const amazon = { dmi: { sysVendor: 'Amazon EC2', productName: 'c6g.large' }, deviceTree: { compatible: [] } }
  t.same(detectBoard({ ...linuxArm, ids: { implementer: '0x41', part: '0xd0c' }, facts: amazon }),
    { kind: 'aws-graviton', model: 'AWS Graviton2', evidence: 'DMI Amazon EC2, cpu part 0xd0c' })
  t.equal(detectBoard({ ...linuxArm, ids: { implementer: '0x41', part: '0xd4f' }, facts: amazon })?.model, 'AWS Graviton4')
  t.equal(detectBoard({ ...linuxArm, ids: { implementer: '0x41', part: '0xd08' }, facts: amazon })?.model, 'AWS Graviton (A1)')
  const altra = { dmi: { sysVendor: 'Ampere(R)', productName: 'Mt.Jade' }, deviceTree: { compatible: [] } }
  t.same(detectBoard({ ...linuxArm, ids: { implementer: '0x41', part: '0xd0c' }, facts: altra }), { kind: 'other', model: 'Ampere(R) Mt.Jade', evidence: 'DMI' }, 'Neoverse N1 in an Ampere Altra')
  t.equal(detectBoard({ ...linuxArm, ids: { implementer: '0x41', part: '0xd4f' } }), null, 'Neoverse V2 without DMI: Graviton4, Grace or Axion')
  t.equal(detectBoard({ ...linuxArm, ids: { implementer: '0x41', part: '0xd40' } })?.kind, 'aws-graviton', 'Neoverse V1 alone: Graviton3')
  t.equal(detectBoard({ ...linuxArm, ids: { implementer: '0x41', part: '0xd40' }, facts: { dmi: { sysVendor: 'SiPearl' }, deviceTree: { compatible: [] } } }), null, 'unless DMI names someone else')
})

t.test('Jetson and SiFive from the device tree', async (t) => {
  t.same(detectBoard({ ...linuxArm, facts: dt('NVIDIA Jetson AGX Orin Developer Kit', ['nvidia,p3737-0000+p3701-0000', 'nvidia,tegra234']) }),
    { kind: 'nvidia-jetson', model: 'NVIDIA Jetson AGX Orin Developer Kit', evidence: 'device-tree model' })
  t.same(detectBoard({ platform: 'linux', arch: 'riscv64', facts: dt('SiFive HiFive Unmatched A00', ['sifive,hifive-unmatched-a00', 'sifive,fu740-c000']) }),
    { kind: 'sifive', model: 'SiFive HiFive Unmatched A00', evidence: 'uarch/compatible' })
})

t.test('nothing known: null', async (t) => {
  t.equal(detectBoard({ platform: 'linux', arch: 'x86_64' }), null)
})
