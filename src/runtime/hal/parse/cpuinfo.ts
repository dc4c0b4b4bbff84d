/**
 * /proc/cpuinfo, split into its blank-line separated blocks. Each `processor` block describes
 * one CPU; the lines outside them (arm32's `Hardware`, `Revision`, `Serial`, some kernels'
 * `Model`) describe the machine. Keys keep the kernel's spelling; values are trimmed.
 *
 * The format differs by architecture:
 * - x86: `vendor_id`, `model name`, `flags`, `physical id`, `core id`, `cpu cores`
 * - Arm: `Features`, `CPU implementer`, `CPU part` (and `model name` on arm32)
 * - RISC-V: `isa`, `uarch`, `mvendorid`, `marchid`, `model name` on newer kernels
 */
export interface Cpuinfo {
  processors: Array<Record<string, string>>
  machine: Record<string, string>
}

export function parseCpuinfo (text: string): Cpuinfo {
  const processors: Array<Record<string, string>> = []
  const machine: Record<string, string> = {}
  for (const chunk of text.split(/\n\s*\n/)) {
    const fields: Record<string, string> = {}
    for (const line of chunk.split('\n')) {
      const i = line.indexOf(':')
      if (i <= 0) continue
      const key = line.slice(0, i).trim()
      if (key !== '') fields[key] = line.slice(i + 1).trim()
    }
    if (Object.keys(fields).length === 0) continue
    if ('processor' in fields && /^\d+$/.test(fields.processor)) processors.push(fields)
    else Object.assign(machine, fields)
  }
  return { processors, machine }
}

/** The value of `key` in the first processor block that has it, else in the machine lines. */
export function cpuinfoField (info: Cpuinfo, key: string): string | undefined {
  for (const p of info.processors) if (p[key] !== undefined) return p[key]
  return info.machine[key]
}

/** The space-separated flag list (`flags` on x86, `Features` on Arm), lower-cased. */
export function cpuinfoFlags (info: Cpuinfo): Set<string> {
  const raw = cpuinfoField(info, 'flags') ?? cpuinfoField(info, 'Features') ?? ''
  return new Set(raw.toLowerCase().split(/\s+/).filter((f) => f !== ''))
}
