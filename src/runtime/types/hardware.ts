/** What the cluster knows of a node's hardware: carried in heartbeats, used by placement. */
export interface HardwareSummary {
  arch: string
  simd: string[]
  gpus: number
  cores: number
  memoryBytes: number
  support: 'runs' | 'detect-only'
}
