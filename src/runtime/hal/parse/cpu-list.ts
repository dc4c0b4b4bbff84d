/**
 * Parses the kernel's CPU list format, as in /sys/devices/system/cpu/online: "0-3,8,10-11".
 * Returns the CPU numbers in ascending order without duplicates; an empty or unreadable list
 * gives []. Malformed parts are skipped rather than thrown on, because a probe must never fail.
 */
export function parseCpuList (text: string): number[] {
  const cpus = new Set<number>()
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim())
    if (m === null) continue
    const from = Number(m[1])
    const to = m[2] === undefined ? from : Number(m[2])
    // A real list never spans more than the kernel's CPU limit (8192); refuse absurd ranges.
    if (to < from || to - from > 8192) continue
    for (let cpu = from; cpu <= to; cpu++) cpus.add(cpu)
  }
  return [...cpus].sort((a, b) => a - b)
}
