/** An agent as a node reports it (`agent list`, `agent inspect`). */
export type AgentStatus = 'deploying' | 'running' | 'migrating' | 'restarting' | 'stopped' | 'failed'

export interface AgentInfo {
  id: string
  namespace: string
  name: string
  version: string
  status: AgentStatus
  worker: number
  queued: number
  processed: number
  restarts: number
  memoryBytes: number
  caps: string[]
  hash: string
}
