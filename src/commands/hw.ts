import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { detectHardware, openFixtureSource, summarizeHardware, type HardwareProfile } from '../runtime/hal/index.js'

export default class Hw extends BaseCommand {
  static override summary = 'Describe this machine: CPU, SIMD, memory, limits, GPUs, board.'
  static override description = 'Detects what mielin can use here: architecture, CPU model and cores, SIMD features and vector ' +
    'width (AVX-512, AMX, SVE, RVV…), memory and cgroup limits, GPUs and NPU hints, the board or cloud (Raspberry Pi, ' +
    'AWS Graviton, Apple Silicon…), VM and container hints, the WebAssembly features of this Node, and whether a mielin ' +
    'node runs here. Nothing is sent anywhere.\n\n' +
    'With --fixture it reads a saved machine dump instead: a folder holding copies of /proc/cpuinfo, /proc/meminfo and ' +
    '/sys files at the same paths, or the output of `sysctl hw machdep` as sysctl.txt (macOS).'

  static override examples = [
    { command: '<%= config.bin %> <%= command.id %>', description: 'Describe this machine' },
    { command: '<%= config.bin %> <%= command.id %> --json', description: 'The full hardware profile, for scripts' },
    { command: '<%= config.bin %> <%= command.id %> --fixture test/fixtures/hal/aarch64-aws-graviton3', description: 'Describe a saved dump of another machine' }
  ]

  static override flags = {
    fixture: Flags.directory({ description: 'Read a saved machine dump in this folder instead of this machine.', helpValue: 'DIR' }),
    platform: Flags.string({ description: 'Platform of the dumped machine (default: guessed from its files).', options: ['linux', 'darwin'], dependsOn: ['fixture'] }),
    arch: Flags.string({ description: '`uname -m` of the dumped machine, e.g. aarch64 (default: guessed from its files).', dependsOn: ['fixture'] })
  }

  async run (): Promise<HardwareProfile> {
    const { flags } = await this.parse(Hw)
    const source = flags.fixture === undefined
      ? undefined
      : await openFixtureSource(flags.fixture, { platform: flags.platform, arch: flags.arch })
    const profile = await detectHardware({ source, signal: this.signal })
    if (flags.fixture !== undefined) this.log(`Machine dump: ${flags.fixture} (WebAssembly features are this Node's)`)
    for (const line of summarizeHardware(profile)) this.log(line)
    return profile
  }
}
