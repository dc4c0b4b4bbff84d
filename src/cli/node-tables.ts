import type { AgentView, PeerView, UnavailableAgent } from '../runtime/types/index.js'
import { table, type Column, type TableTarget } from './table.js'

// What the commands that ask a node print: `mesh peers` and `agent list`, one line per node or
// agent. Kept apart from the commands so they can be tested without loading libp2p.

type PeerRow = Record<'name' | 'state' | 'arch' | 'cores' | 'memory' | 'simd' | 'gpus' | 'agents' | 'cpu' | 'rss' | 'rate' | 'labels' | 'peerId', string | number>
const peerColumns: Array<Column<keyof PeerRow>> = [
  { key: 'name', name: 'NAME' },
  { key: 'state', name: 'STATE' },
  { key: 'arch', name: 'ARCH' },
  { key: 'cores', name: 'CORES', align: 'right' },
  { key: 'memory', name: 'MEMORY', align: 'right' },
  { key: 'simd', name: 'SIMD' },
  { key: 'gpus', name: 'GPUS', align: 'right' },
  { key: 'agents', name: 'AGENTS', align: 'right' },
  // the node's own process: its CPU time over the last heartbeat as a share of all the cores it may use, and its resident memory
  { key: 'cpu', name: 'CPU (ALL CORES)', align: 'right' },
  { key: 'rss', name: 'RSS', align: 'right' },
  { key: 'rate', name: 'MSGS/S', align: 'right' },
  { key: 'labels', name: 'LABELS' },
  { key: 'peerId', name: 'PEER ID' }
]

/** The SIMD features placement cares about; the full list is in --json. */
const NOTABLE_SIMD = /^(avx2|avx512f|amx-tile|neon|sve2?|sme|rvv)$/

/** What `mesh peers` prints, one line per node. */
export async function peersTable (peers: PeerView[], target?: TableTarget): Promise<string> {
  return await table(peerColumns, peers.map(peerRow), target)
}

/** A node that left is listed this long after it left; a dead one this long after it was last heard. */
export const LEFT_SHOWN_MS = 10 * 60_000
export const DEAD_SHOWN_MS = 60 * 60_000

/** The nodes `mesh peers` lists without --all: all but those that left, or died, long ago. */
export function recentPeers (peers: PeerView[]): { shown: PeerView[], hidden: number } {
  const gone = (p: PeerView): boolean => (p.state === 'left' && p.lastSeenMs > LEFT_SHOWN_MS) || (p.state === 'dead' && p.lastSeenMs > DEAD_SHOWN_MS)
  const shown = peers.filter((p) => !gone(p))
  return { shown, hidden: peers.length - shown.length }
}

/** A share as a percentage: one decimal below 10 %, where an idle node's figures are. */
const percent = (share: number): string => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`

/** "*" marks the node that was asked. */
function peerRow (p: PeerView): PeerRow {
  const hw = p.hardware
  return {
    name: `${p.self ? '*' : ' '} ${p.name}`,
    state: p.state,
    arch: hw.arch,
    cores: hw.cores,
    memory: `${(hw.memoryBytes / 2 ** 30).toFixed(1)} GiB`,
    simd: hw.simd.filter((f) => NOTABLE_SIMD.test(f)).join(' '),
    gpus: hw.gpus,
    agents: p.load.agents,
    cpu: percent(p.load.cpu),
    rss: `${Math.round(p.load.memory / 2 ** 20)} MiB`,
    rate: Math.round(p.load.messagesPerSec),
    labels: Object.entries(p.labels).map(([k, v]) => `${k}=${v}`).join(','),
    peerId: p.peerId
  }
}

type AgentRow = Record<'id' | 'status' | 'node' | 'namespace' | 'queued' | 'handled' | 'restarts', string | number>
const agentColumns: Array<Column<keyof AgentRow>> = [
  { key: 'id', name: 'ID' },
  { key: 'status', name: 'STATUS' },
  { key: 'node', name: 'NODE' },
  { key: 'namespace', name: 'NAMESPACE' },
  { key: 'queued', name: 'QUEUED', align: 'right' },
  { key: 'handled', name: 'HANDLED', align: 'right' },
  { key: 'restarts', name: 'RESTARTS', align: 'right' }
]

/** What `agent list` prints, one line per agent. */
export async function agentsTable (agents: AgentView[], target?: TableTarget): Promise<string> {
  return await table(agentColumns, agents.map(agentRow), target)
}

function agentRow (a: AgentView): AgentRow {
  return { id: a.id, status: a.status, node: a.nodeName, namespace: a.namespace, queued: a.queued, handled: a.processed, restarts: a.restarts }
}

/** What `agent list` prints for the agents whose node left or died. */
export async function unavailableTable (agents: UnavailableAgent[], target?: TableTarget): Promise<string> {
  return await table([{ key: 'id', name: 'ID' }, { key: 'status', name: 'STATUS' }, { key: 'node', name: 'NODE' }],
    agents.map((a) => ({ id: a.id, status: `unavailable: ${a.why.message}`, node: a.nodeName })), target)
}
