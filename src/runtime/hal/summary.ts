import type { HardwareProfile } from './types.js'

const GiB = 1024 ** 3

function size (bytes: number): string {
  if (bytes <= 0) return 'unknown'
  return bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${(bytes / 1024 ** 2).toFixed(0)} MiB`
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

const WIDTH_NOTE: Record<string, string> = {
  os: ', from the kernel',
  'known-core': ', known for this core',
  assumed: ', assumed: the architectural minimum'
}

/** Short human lines describing a profile, one topic per line, for `mielin hw` and logs. */
export function summarizeHardware (p: HardwareProfile): string[] {
  const lines: Array<[string, string]> = []
  const archNote = p.arch === 'other' || p.archRaw === p.arch ? '' : ` (${p.archRaw})`
  lines.push(['Machine', `${p.arch}${archNote}, ${p.os.platform} ${p.os.release}`])
  const cores = p.cpu.physicalCores === p.cpu.logicalCores
    ? plural(p.cpu.logicalCores, 'core')
    : `${plural(p.cpu.physicalCores, 'core')}, ${plural(p.cpu.logicalCores, 'thread')}`
  const vendor = p.cpu.vendor === 'unknown' || p.cpu.model.toLowerCase().includes(p.cpu.vendor.toLowerCase()) ? '' : `${p.cpu.vendor} `
  lines.push(['CPU', `${vendor}${p.cpu.model} — ${cores}`])
  const width = p.maxVectorWidthBits > 0
    ? `${p.maxVectorWidthBits}-bit vectors${WIDTH_NOTE[p.maxVectorWidthSource ?? ''] ?? ''}`
    : 'no vector unit'
  lines.push(['SIMD', `${p.simd.length > 0 ? p.simd.join(' ') : 'none detected'} (${width})`])
  lines.push(['Memory', `${size(p.memory.totalBytes)} total, ${size(p.memory.availableBytes)} available`])
  const limits = [
    p.limits.cpus === null ? undefined : `${Number(p.limits.cpus.toFixed(2))} CPUs`,
    p.limits.memoryBytes === null ? undefined : `${size(p.limits.memoryBytes)} memory`
  ].filter((s) => s !== undefined)
  const limitSource = p.limits.source === 'none' ? 'no cgroup found' : p.limits.source
  lines.push(['Limits', `${limits.length > 0 ? limits.join(', ') : 'none'} (${limitSource})`])
  const gpus = p.gpus.map((g) => g.memoryBytes === undefined ? g.name : `${g.name} (${size(g.memoryBytes)})`)
  lines.push(['GPU', gpus.length > 0 ? gpus.join('; ') : 'none found'])
  lines.push(['NPU', p.npus.length > 0 ? p.npus.join(', ') : 'none found'])
  lines.push(['Board', p.board === null ? 'not identified' : `${p.board.model} (${p.board.kind})`])
  const v = p.virtualization
  const virt = [
    v.vm ? `virtual machine${v.hypervisor === undefined ? '' : ` (${v.hypervisor})`}` : undefined,
    v.container ? `container${v.containerRuntime === undefined ? '' : ` (${v.containerRuntime})`}` : undefined
  ].filter((s) => s !== undefined)
  lines.push(['Virtualization', virt.length > 0 ? virt.join(', ') : 'no VM or container seen'])
  const wasmNames: Record<string, string> = { simd: 'simd', relaxedSimd: 'relaxed-simd', threads: 'threads', memory64: 'memory64', exceptions: 'exceptions' }
  const wasmOn = Object.entries(p.wasm).filter(([, on]) => on).map(([k]) => wasmNames[k] ?? k)
  const wasmOff = Object.entries(p.wasm).filter(([, on]) => !on).map(([k]) => wasmNames[k] ?? k)
  lines.push(['WebAssembly', `${wasmOn.length > 0 ? wasmOn.join(', ') : 'none'}${wasmOff.length > 0 ? ` (not: ${wasmOff.join(', ')})` : ''}`])
  lines.push(['Support', p.support === 'runs' ? 'runs: a mielin node can run here' : 'detect-only: mielin can describe this machine but not run a node on it'])
  const pad = Math.max(...lines.map(([k]) => k.length)) + 2
  return lines.map(([k, text]) => `${k.padEnd(pad)}${text}`)
}
