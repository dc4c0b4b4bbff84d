import type { AgentLogs } from '../../src/runtime/cluster/agent-logs.js'
import type { DirectoryEntry, Member } from '../../src/runtime/mesh/index.js'
import type { AgentInfo, LogLine } from '../../src/runtime/types/index.js'

/**
 * Hand-made stand-ins for what the cluster's parts get from the rest of a node (the member
 * table, the shared directory, a store, a kernel), small enough to read in a test.
 */

/** A member as the membership table holds it: alive, heard just now, 8 cores and 16 GiB. */
export function member (peerId: string, name: string, extra: Partial<Member> = {}): Member {
  return {
    peerId, name, labels: {}, addrs: [], seq: 1, incarnation: 1, ts: 0, self: false, state: 'alive', lastHeardAt: Date.now(), since: 0,
    hardware: { arch: 'x86_64', simd: [], gpus: 0, cores: 8, memoryBytes: 16 * 2 ** 30, support: 'runs' },
    load: { agents: 0, messagesPerSec: 0, cpu: 0, memory: 0 },
    ...extra
  }
}

/** The members every node of a test sees (`self` set for the one asking). */
export function membership (all: () => Member[], self: string): { members: () => Member[], member: (id: string) => Member | undefined } {
  const members = (): Member[] => all().map((m) => ({ ...m, self: m.peerId === self }))
  return { members, member: (id) => members().find((m) => m.peerId === id) }
}

export interface SharedDirectory {
  entries: Map<string, DirectoryEntry>
  forgotten: string[]
  get: (a: string) => Promise<DirectoryEntry | undefined>
  cached: (a: string) => DirectoryEntry | undefined
  forget: (a: string) => void
  learn: (e: DirectoryEntry) => void
  compareAndSet: (a: string, expected: number | undefined, next: { node: string, epoch: number }) => Promise<DirectoryEntry>
}

/** The cluster's directory (a DHT shared by all nodes): one object for every node of a test. */
export function sharedDirectory (): SharedDirectory {
  const entries = new Map<string, DirectoryEntry>()
  const forgotten: string[] = []
  return {
    entries,
    forgotten,
    get: async (agent) => entries.get(agent),
    cached: (agent) => entries.get(agent),
    forget: (agent) => { forgotten.push(agent); entries.delete(agent) },
    learn: (e) => { if ((entries.get(e.agent)?.epoch ?? 0) <= e.epoch) entries.set(e.agent, e) },
    compareAndSet: async (agent, expected, next) => {
      if (entries.get(agent)?.epoch !== expected) throw new Error(`epoch of ${agent} moved`)
      const e = { agent, ...next, ts: Date.now() }
      entries.set(agent, e)
      return e
    }
  }
}

/** One node's handle on the shared directory: its writes name it as the owner. */
export function directoryOf (shared: SharedDirectory, self: string): SharedDirectory & { write: (a: string, epoch: number) => DirectoryEntry } {
  return {
    ...shared,
    write: (agent, epoch) => {
      const e = { agent, node: self, epoch, ts: Date.now() }
      shared.entries.set(agent, e)
      return e
    }
  }
}

export function blobStore (): { blobs: Map<string, Uint8Array>, getBlob: (h: string) => Promise<Uint8Array | undefined>, putBlob: (h: string, b: Uint8Array) => Promise<void> } {
  const blobs = new Map<string, Uint8Array>()
  return { blobs, getBlob: async (h) => blobs.get(h), putBlob: async (h, b) => { blobs.set(h, b) } }
}

/** A kernel that keeps the agents deployed on it as AgentInfo records. */
export function agentKernel (ids: string[] = []): {
  agents: Map<string, AgentInfo>, deployed: Array<{ id: string, component: Uint8Array }>
  list: () => AgentInfo[], has: (id: string) => boolean, info: (id: string) => AgentInfo, stopAgent: (id: string) => Promise<void>
  deploy: (d: { id?: string, component: Uint8Array, namespace?: string }) => Promise<AgentInfo>
  replace: (d: { id: string, component: Uint8Array }) => Promise<AgentInfo>
  replaced: string[]
} {
  const info = (id: string): AgentInfo => ({ id, name: id, version: '0.1.0', namespace: 'default', status: 'running', hash: 'h', worker: 0, queued: 0, processed: 0, restarts: 0, memoryBytes: 0, caps: [] })
  const agents = new Map(ids.map((id) => [id, info(id)]))
  const deployed: Array<{ id: string, component: Uint8Array }> = []
  const replaced: string[] = []
  return {
    agents,
    deployed,
    replaced,
    replace: async (d) => {
      if (!agents.has(d.id)) throw new Error(`no ${d.id} to replace`)
      replaced.push(d.id)
      deployed.push({ id: d.id, component: d.component })
      return info(d.id)
    },
    list: () => [...agents.values()],
    has: (id) => agents.has(id),
    info: (id) => { const a = agents.get(id); if (a === undefined) throw new Error(`no ${id}`); return a },
    stopAgent: async (id) => { agents.delete(id) },
    deploy: async (d) => {
      const id = d.id ?? 'x'
      deployed.push({ id, component: d.component })
      agents.set(id, info(id))
      return info(id)
    }
  }
}

/** Agent logs with fixed lines: following one gives its lines, then waits for the follower to stop. */
export function fixedLogs (lines: LogLine[]): Pick<AgentLogs, 'get' | 'follow'> {
  const get = (agent: string, after = 0): LogLine[] => lines.filter((l) => l.agent === agent && l.seq > after)
  return {
    get,
    follow: async function * (agent, after, signal) {
      yield * get(agent, after)
      await new Promise((resolve) => { signal.addEventListener('abort', resolve, { once: true }) })
    }
  }
}
