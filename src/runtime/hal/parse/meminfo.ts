/** What /proc/meminfo says about memory, in bytes. */
export interface Meminfo {
  totalBytes?: number
  availableBytes?: number
}

/**
 * Parses /proc/meminfo ("MemTotal:       24684084 kB"). MemAvailable exists since Linux 3.14;
 * on older kernels free + buffers + page cache is the usual estimate of what can be had.
 */
export function parseMeminfo (text: string): Meminfo {
  const kb = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = /^([\w()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line)
    if (m !== null) kb.set(m[1], Number(m[2]))
  }
  const bytes = (key: string): number | undefined => {
    const v = kb.get(key)
    return v === undefined ? undefined : v * 1024
  }
  const totalBytes = bytes('MemTotal')
  let availableBytes = bytes('MemAvailable')
  if (availableBytes === undefined && kb.has('MemFree')) {
    availableBytes = (bytes('MemFree') ?? 0) + (bytes('Buffers') ?? 0) + (bytes('Cached') ?? 0)
  }
  return { totalBytes, availableBytes }
}
