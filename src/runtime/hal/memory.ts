import type { MemoryInfo } from './types.js'
import type { HalSource } from './source.js'
import { parseMeminfo } from './parse/meminfo.js'
import { sysctlNumber } from './parse/sysctl.js'

/**
 * Total and available memory: /proc/meminfo on Linux, `hw.memsize` on macOS, else the os
 * module. A value no source knows (a dump without meminfo) is 0, shown as "unknown".
 */
export async function readMemory (source: HalSource, sysctl: Record<string, string> | undefined): Promise<MemoryInfo> {
  const fallback = { totalBytes: source.os?.totalMemoryBytes ?? 0, availableBytes: source.os?.freeMemoryBytes ?? 0 }
  if (sysctl !== undefined && source.platform === 'darwin') {
    const pageSize = sysctlNumber(sysctl, 'hw.pagesize') ?? sysctlNumber(sysctl, 'vm.pagesize')
    const freePages = sysctlNumber(sysctl, 'vm.page_free_count')
    return {
      totalBytes: sysctlNumber(sysctl, 'hw.memsize') ?? fallback.totalBytes,
      availableBytes: pageSize !== undefined && freePages !== undefined ? pageSize * freePages : fallback.availableBytes
    }
  }
  const text = await source.readFile('/proc/meminfo')
  const parsed = text === undefined ? {} : parseMeminfo(text)
  return {
    totalBytes: parsed.totalBytes ?? fallback.totalBytes,
    availableBytes: parsed.availableBytes ?? fallback.availableBytes
  }
}
