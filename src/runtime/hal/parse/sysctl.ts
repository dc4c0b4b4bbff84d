/**
 * Parses `sysctl` output into a key → value record. macOS prints `hw.memsize: 17179869184`;
 * Linux and the BSDs' `-a` form print `kernel.ostype = Linux`. Both are accepted. Lines
 * without a separator (continuations of multi-line values) are ignored.
 */
export function parseSysctl (text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_.-]+)(?::| =)\s?(.*)$/.exec(line.trimEnd())
    if (m !== null) out[m[1]] = m[2].trim()
  }
  return out
}

/** A sysctl value as a number, or undefined when absent or not numeric. */
export function sysctlNumber (sysctl: Record<string, string>, key: string): number | undefined {
  const v = sysctl[key]
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined
  return Number(v)
}

/** True when a boolean sysctl such as `hw.optional.arm.FEAT_SME` is 1. */
export function sysctlFlag (sysctl: Record<string, string>, key: string): boolean {
  return sysctlNumber(sysctl, key) === 1
}
