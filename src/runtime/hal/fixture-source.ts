import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { InvalidInputError } from '../errors.js'
import { guessArchFromCpuinfo } from './arch.js'
import { parseCpuinfo } from './parse/cpuinfo.js'
import { parseSysctl } from './parse/sysctl.js'
import type { HalSource, OsFacts } from './source.js'

export interface FixtureSourceInit {
  /** Node's platform name for the dumped machine. Default 'linux'. */
  platform?: string
  /** `uname -m` of the dumped machine. Default 'x86_64'. */
  arch?: string
  /** OS release to report. Default 'unknown'. */
  release?: string
  /** Environment variables the dumped machine had. Default none. */
  env?: Record<string, string | undefined>
  /** `os` module values to fall back on. Default none: a dump never borrows this machine's values. */
  os?: OsFacts
}

/**
 * A saved machine dump: `readFile('/proc/cpuinfo')` reads `<dir>/proc/cpuinfo`, `exec('sysctl', …)`
 * answers with `<dir>/sysctl.txt` (the dump of `sysctl hw machdep`), and any other tool `x` with
 * `<dir>/x.txt`. Anything missing is undefined; paths cannot escape `dir`.
 */
export function fixtureSource (dir: string, init: FixtureSourceInit = {}): HalSource {
  const root = path.resolve(dir)
  const inside = (p: string): string | undefined => {
    const full = path.resolve(root, `.${path.posix.normalize(`/${p}`)}`)
    return full === root || full.startsWith(root + path.sep) ? full : undefined
  }
  const read = async (p: string): Promise<string | undefined> => {
    const full = inside(p)
    if (full === undefined) return undefined
    try { return await readFile(full, 'utf8') } catch { return undefined }
  }
  return {
    platform: init.platform ?? 'linux',
    arch: init.arch ?? 'x86_64',
    release: init.release ?? 'unknown',
    env: init.env ?? {},
    os: init.os,
    readFile: read,
    async listDir (p) {
      const full = inside(p)
      if (full === undefined) return []
      try { return await readdir(full) } catch { return [] }
    },
    async exec (command) {
      const name = path.basename(command)
      return await read(name === 'sysctl' ? '/sysctl.txt' : `/${name}.txt`)
    }
  }
}

/**
 * Opens a machine dump folder for the CLI: checks it exists, and guesses the platform and arch
 * from its files when they are not given (sysctl.txt → darwin; /proc/cpuinfo → linux and the
 * arch its format implies). Throws InvalidInputError when the folder is missing or holds neither.
 */
export async function openFixtureSource (dir: string, init: FixtureSourceInit = {}): Promise<HalSource> {
  const example = 'test/fixtures/hal/x86_64-amd-zen4'
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false)
  if (!isDir) {
    throw new InvalidInputError(`Machine dump folder "${dir}" does not exist or is not a folder.`, 'E_NOT_FOUND', {
      suggestions: [`Pass a folder that holds proc/cpuinfo or sysctl.txt, e.g. --fixture ${example}`]
    })
  }
  const probe = fixtureSource(dir)
  const [cpuinfo, sysctl, proc, sys] = await Promise.all([
    probe.readFile('/proc/cpuinfo'), probe.readFile('/sysctl.txt'), probe.listDir('/proc'), probe.listDir('/sys')
  ])
  if (cpuinfo === undefined && sysctl === undefined && proc.length === 0 && sys.length === 0) {
    throw new InvalidInputError(`"${dir}" is not a machine dump: it has no proc/, sys/ or sysctl.txt.`, undefined, {
      suggestions: [`Copy /proc/cpuinfo to <dir>/proc/cpuinfo (or save \`sysctl hw machdep\` as <dir>/sysctl.txt) and retry, e.g. --fixture ${example}`]
    })
  }
  let platform = init.platform
  let arch = init.arch
  if (cpuinfo === undefined && sysctl !== undefined) {
    platform ??= 'darwin'
    const s = parseSysctl(sysctl)
    arch ??= s['hw.optional.arm64'] === '1' || s['machdep.cpu.brand_string']?.startsWith('Apple') === true ? 'arm64' : 'x86_64'
  }
  if (cpuinfo !== undefined) arch ??= guessArchFromCpuinfo(parseCpuinfo(cpuinfo))
  return fixtureSource(dir, { ...init, platform: platform ?? 'linux', arch: arch ?? 'unknown' })
}
