/**
 * Where the HAL reads a machine from. Detection never touches `fs`, `os` or child processes
 * directly: it asks a `HalSource`. `systemSource()` answers for this machine; `fixtureSource()`
 * answers from a saved dump, so every probe can be tested against real machines we do not have.
 *
 * Every method answers `undefined` (or `[]`) for anything missing and never throws: a probe that
 * cannot read something reports less, it does not fail.
 */
export interface HalSource {
  /** Node's platform name: 'linux', 'darwin', 'win32', … */
  readonly platform: string
  /** The machine name as the OS spells it (`uname -m`): 'x86_64', 'aarch64', 'arm64', 'armv7l', 'riscv64', … */
  readonly arch: string
  /** The OS (kernel) release, e.g. '6.18.44' or '24.1.0'. */
  readonly release: string
  /** Reads a whole text file by absolute path ('/proc/cpuinfo'); undefined when absent or unreadable. */
  readFile: (path: string) => Promise<string | undefined>
  /** Names inside a folder ('/sys/class/drm' → ['card0', …]); [] when absent. */
  listDir: (path: string) => Promise<string[]>
  /** Runs a tool and returns its stdout when it exits 0; undefined when absent, failing or too slow. */
  exec: (command: string, args: string[], options?: { signal?: AbortSignal }) => Promise<string | undefined>
  /** Environment variables (for container hints such as `container=podman`); default none. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Values from Node's `os` module, used only when /proc and sysctl say nothing. Absent for fixtures. */
  readonly os?: OsFacts
}

/** The last-resort facts Node's `os` module gives on any platform. */
export interface OsFacts {
  cpuModel: string
  logicalCores: number
  totalMemoryBytes: number
  freeMemoryBytes: number
}
