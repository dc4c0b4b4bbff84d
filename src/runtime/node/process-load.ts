/**
 * The load a node reports of itself in its heartbeats: its own process, not the machine (the
 * load average is the same on every node of a machine, whatever each one does).
 */

export interface ProcessLoadInit {
  /** The cores the node may use (its container's limit, else the machine's). */
  cores: number
  /** CPU time used so far, in µs (user and system, every thread). @default process.cpuUsage */
  cpuUsage?: () => { user: number, system: number }
  /** Resident memory now, in bytes. @default process.memoryUsage.rss */
  rss?: () => number
  /** A monotonic clock in ms. @default performance.now */
  now?: () => number
}

/**
 * A sampler: each call returns the CPU time the process used since the previous call (the
 * first: since the sampler was made) as a share of all `cores`, 0..1, and its RSS in bytes.
 * Worker threads count: process.cpuUsage covers the whole process.
 */
export function processLoad (init: ProcessLoadInit): () => { cpu: number, memory: number } {
  const cpuUsage = init.cpuUsage ?? (() => process.cpuUsage())
  const rss = init.rss ?? (() => process.memoryUsage.rss())
  const now = init.now ?? (() => performance.now())
  const cores = Math.max(1, init.cores)
  const used = (): number => { const u = cpuUsage(); return u.user + u.system }
  let lastCpu = used()
  let lastAt = now()
  return () => {
    const cpu = used()
    const at = now()
    const wallUs = (at - lastAt) * 1000
    const share = wallUs > 0 ? (cpu - lastCpu) / (wallUs * cores) : 0
    lastCpu = cpu
    lastAt = at
    return { cpu: Math.min(1, Math.max(0, share)), memory: rss() }
  }
}
