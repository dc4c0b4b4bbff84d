/**
 * Pure parsers for the cgroup files that limit a process (containers, systemd slices).
 *
 * - /proc/self/cgroup: `hierarchy-id:controllers:path`. cgroup v2 has one line `0::/path`;
 *   v1 (and "hybrid" hosts) has one line per controller hierarchy, e.g. `4:memory:/docker/ab`.
 * - v2: `cpu.max` is `<quota> <period>` or `max <period>`; `memory.max` is bytes or `max`.
 * - v1: `cpu.cfs_quota_us` is -1 when unlimited; `memory.limit_in_bytes` is a huge number
 *   (LONG_MAX rounded down to a page, 9223372036854771712) when unlimited.
 */
export interface CgroupEntry {
  hierarchy: number
  /** Controllers of this hierarchy (`cpu`, `cpuacct`, `memory`, `name=systemd`); [] on v2. */
  controllers: string[]
  path: string
}

export function parseProcCgroup (text: string): CgroupEntry[] {
  const entries: CgroupEntry[] = []
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim())
    if (m === null) continue
    entries.push({ hierarchy: Number(m[1]), controllers: m[2] === '' ? [] : m[2].split(','), path: m[3] })
  }
  return entries
}

/** The v2 path (`0::/path`), when the process is in a unified hierarchy. */
export function cgroupV2Path (entries: CgroupEntry[]): string | undefined {
  return entries.find((e) => e.hierarchy === 0 && e.controllers.length === 0)?.path
}

/** The v1 path of the hierarchy holding `controller`, when there is one. */
export function cgroupV1Path (entries: CgroupEntry[], controller: string): string | undefined {
  return entries.find((e) => e.controllers.includes(controller))?.path
}

/** v2 `cpu.max` → CPUs allowed (may be fractional), or null when unlimited or unreadable. */
export function parseCpuMax (text: string): number | null {
  const [quota, period] = text.trim().split(/\s+/)
  if (quota === undefined || quota === 'max') return null
  return cpusFromQuota(Number(quota), period === undefined ? 100_000 : Number(period))
}

/** v1 `cpu.cfs_quota_us` and `cpu.cfs_period_us` → CPUs allowed, or null when unlimited. */
export function parseCfsQuota (quotaText: string, periodText: string | undefined): number | null {
  return cpusFromQuota(Number(quotaText.trim()), periodText === undefined ? 100_000 : Number(periodText.trim()))
}

function cpusFromQuota (quota: number, period: number): number | null {
  if (!Number.isFinite(quota) || !Number.isFinite(period) || quota <= 0 || period <= 0) return null
  return quota / period
}

/**
 * Memory limits at or above this are "unlimited". v1 reports LONG_MAX rounded to a page;
 * no machine has 2^60 bytes (1 EiB) of memory, so anything that large means "no limit".
 */
const UNLIMITED_MEMORY = 2 ** 60

/** v2 `memory.max` or v1 `memory.limit_in_bytes` → bytes, or null when unlimited or unreadable. */
export function parseMemoryLimit (text: string): number | null {
  const t = text.trim()
  if (t === 'max' || !/^\d+$/.test(t)) return null
  const bytes = Number(t)
  return bytes >= UNLIMITED_MEMORY ? null : bytes
}
