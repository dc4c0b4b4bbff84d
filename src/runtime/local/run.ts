import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { InvalidArgumentError, MielinError, throwIfAborted } from '../errors.js'
import type { KernelEvent } from '../kernel/index.js'
import { createNode, type MielinNode } from '../node/index.js'
import type { AgentInfo } from '../types/index.js'
import { projectStateDir } from './state-dir.js'

/**
 * `mielin agent run`: a single-node runtime with no mesh. Deploys the given agents (and
 * brings back those of earlier runs in the same data dir, by default the project's
 * `.mielin/local`), sends each input as a request, and reports replies and logs as they happen.
 */

/** This client's address: agents that answer `msg.from` reach it. */
const CLIENT = 'cli:run'

export interface RunLocalInit {
  files: string[]
  /**
   * Where the node keeps its state between runs. Default: `.mielin/local` in the agent's
   * project (see `projectStateDir`).
   */
  dataDir?: string
  /** Start clean and keep nothing: a fresh temporary data dir, deleted afterwards. Default: false. */
  ephemeral?: boolean
  /** Base of relative paths, and where the project is looked for. Default: process.cwd(). */
  cwd?: string
  /** Capabilities to grant instead of what the manifests ask for. */
  caps?: string[]
  /** Which agent gets the inputs; default: the first file's agent (or the only one running). */
  to?: string
  /** JSON payloads, one per request. */
  inputs: Iterable<string> | AsyncIterable<string>
  /** Once the agents run: the data dir, and the agents that came back from earlier runs there. */
  onReady?: (e: { dataDir: string, restored: string[] }) => void
  onReply?: (e: Exchange) => void
  onLog?: (e: Extract<KernelEvent, { name: 'kernel:agent:log' }>) => void
  /** A message an agent sent back to this client (e.g. a relay's answer). */
  onMessage?: (e: Exchange & { from: string }) => void
  timeoutMs?: number
  workers?: number
  signal?: AbortSignal
}

export interface Exchange { to: string, payload: unknown, reply?: unknown, error?: { code: string, message: string, suggestions?: string[] } }

export interface RunLocalResult {
  dataDir: string
  agents: AgentInfo[]
  restored: string[]
  exchanges: Exchange[]
  /** Messages agents sent to this client on their own. */
  received: Array<Exchange & { from: string }>
}

export async function runLocal (init: RunLocalInit): Promise<RunLocalResult> {
  throwIfAborted(init.signal)
  const cwd = init.cwd ?? process.cwd()
  const files = init.files.map((f) => path.resolve(cwd, f))
  const dataDir = init.ephemeral === true
    ? await mkdtemp(path.join(os.tmpdir(), 'mielin-run-'))
    : path.resolve(cwd, init.dataDir ?? projectStateDir(files, cwd))
  const node = await createNode({}, { dataDir, workers: init.workers, signal: init.signal })
  const received: Array<Exchange & { from: string }> = []
  const off = node.kernel.events.on((e) => {
    if (e.name === 'kernel:agent:log') init.onLog?.(e)
    if (e.name === 'kernel:outbound' && e.envelope.to === CLIENT) {
      const m = { from: e.envelope.from, to: CLIENT, payload: JSON.parse(e.envelope.payload) as unknown }
      received.push(m)
      init.onMessage?.(m)
    }
  })
  try {
    const deployed: AgentInfo[] = []
    for (const file of files) deployed.push(await node.deployFile(file, { caps: init.caps }))
    const restored = node.restoreReport.restored.map((a) => a.id)
    init.onReady?.({ dataDir: node.dataDir, restored })
    const running = node.kernel.list()
    const to = init.to ?? deployed[0]?.id ?? (running.length === 1 ? running[0].id : undefined)
    const exchanges: Exchange[] = []
    for await (const line of init.inputs) {
      throwIfAborted(init.signal)
      if (line.trim() === '') continue
      if (to === undefined) {
        throw new InvalidArgumentError(`Which agent should get the messages? ${running.length} agents run here.`, undefined, {
          suggestions: [`Pass --to with one of: ${running.map((a) => a.id).join(', ') || '(none: pass a .wasm file)'}`]
        })
      }
      exchanges.push(await exchange(node.kernel, to, line, init.timeoutMs))
      init.onReply?.(exchanges[exchanges.length - 1])
    }
    await node.kernel.drain() // let agents finish what the requests started (a relay's answer)
    return { dataDir: node.dataDir, agents: node.kernel.list(), restored, exchanges, received }
  } finally {
    await node.stop()
    off()
    if (init.ephemeral === true) await rm(dataDir, { recursive: true, force: true })
  }
}

async function exchange (kernel: MielinNode['kernel'], to: string, line: string, timeoutMs = 30_000): Promise<Exchange> {
  let payload: unknown
  try {
    payload = JSON.parse(line)
  } catch {
    throw new InvalidArgumentError(`The message ${JSON.stringify(line.slice(0, 80))} is not JSON.`, 'E_BAD_MESSAGE', {
      suggestions: [`Quote it for your shell, e.g. --send '{"n":1}'`]
    })
  }
  try {
    const reply = await kernel.request(CLIENT, to, line, { timeoutMs })
    return { to, payload, ...(reply !== undefined ? { reply: JSON.parse(reply) } : {}) }
  } catch (err) {
    if (!(err instanceof MielinError) || err.code === 'E_AGENT_NOT_FOUND') throw err
    return { to, payload, error: { code: err.code, message: err.message, ...(err.suggestions.length > 0 ? { suggestions: err.suggestions } : {}) } }
  }
}
