import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa, type ResultPromise } from 'execa'
import { ControlClient, controlSocketPath } from '../src/runtime/control/index.js'
import { initCluster, joinCluster } from '../src/runtime/mesh/auth/index.js'
import { until } from '../test/helpers/until.js'

/**
 * N real `mielin mesh start` processes on 127.0.0.1 (bin/run.js, as a user runs it; `npm run
 * bench` builds first), joined into one cluster, each with a control-socket client. Started
 * a few at a time, so that on a small machine (2 cores here) the nodes already up keep their
 * heartbeats going while the next ones start.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const RUN = fileURLToPath(new URL('../bin/run.js', import.meta.url))

export interface ClusterInit {
  nodes: number
  /** What each node process runs, before the common flags (--bind, --data-dir, --name, --workers, --join). @default `bin/run.js mesh start` */
  command?: string[]
  /** Extra flags for every node. */
  args?: string[]
  /** Processes started at once. @default 4 */
  batch?: number
  /** Until every node runs and sees all the others alive. @default 60 s + 10 s a node */
  timeoutMs?: number
  onProgress?: (message: string) => void
}

export interface ClusterNode {
  name: string
  dir: string
  child: ResultPromise
  stdout: string
  stderr: string
  /** Its TCP multiaddr, once it says it is running. */
  addr?: string
  client?: ControlClient
  exit?: number | null
}

export interface Cluster {
  nodes: ClusterNode[]
  /** Joins more data dirs (such as an in-process node's) to the cluster. */
  joinToken: string
  call: <T>(node: ClusterNode, method: string, params?: unknown) => Promise<T>
  /** CPU time all node processes have used so far (Linux /proc; NaN elsewhere). */
  cpuSeconds: () => number
  stop: () => Promise<void>
}

export async function startCluster (init: ClusterInit): Promise<Cluster> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-bench-cluster-'))
  const dirs = Array.from({ length: init.nodes }, (_, i) => path.join(tmp, `n${i}`))
  const { joinToken } = await initCluster(dirs[0])
  const nodes: ClusterNode[] = []
  const cluster: Cluster = {
    nodes,
    joinToken,
    call: async <T>(node: ClusterNode, method: string, params: unknown = {}) => {
      node.client ??= await ControlClient.connect(controlSocketPath(node.dir))
      return await node.client.call<T>(method, params, { signal: AbortSignal.timeout(60_000) })
    },
    cpuSeconds: () => nodes.reduce((sum, n) => sum + cpuSeconds(n.child.pid), 0),
    stop: async () => { await stopAll(nodes); await rm(tmp, { recursive: true, force: true }) }
  }
  try {
    const deadline = Date.now() + (init.timeoutMs ?? 60_000 + 10_000 * init.nodes)
    for (const dir of dirs.slice(1)) await joinCluster(dir, joinToken)
    const startNodes = async (from: number, to: number): Promise<void> => {
      const started = dirs.slice(from, to).map((dir, j) => spawnNode(`n${from + j}`, dir, nodes, [...(init.command ?? [RUN, 'mesh', 'start']), ...(init.args ?? [])]))
      nodes.push(...started)
      await Promise.all(started.map(async (n) => { await untilNode(n, () => `${n.name} to start`, () => running(n), deadline) }))
      init.onProgress?.(`${nodes.length} of ${init.nodes} nodes running`)
    }
    await startNodes(0, 1) // alone: the others need a running node to join
    const batch = init.batch ?? 4
    for (let i = 1; i < dirs.length; i += batch) await startNodes(i, i + batch)
    for (const n of nodes) {
      await untilNode(n, () => `${n.name} to see all ${init.nodes - 1} others alive`,
        async () => (await cluster.call<{ peers: { alive: number } }>(n, 'mesh.status')).peers.alive === init.nodes - 1, deadline)
    }
    init.onProgress?.(`every node sees the ${init.nodes - 1} others alive`)
    return cluster
  } catch (err) {
    await cluster.stop()
    throw err
  }
}

/** Starts one node; it joins a random node already running (membership finds the rest). */
function spawnNode (name: string, dir: string, running: ClusterNode[], [entry, ...args]: string[]): ClusterNode {
  const up = running.filter((n) => n.addr !== undefined)
  const join = up.length === 0 ? [] : ['--join', up[Math.floor(Math.random() * up.length)].addr as string]
  const child = execa(process.execPath, [entry, ...args, '--bind', '127.0.0.1:0', '--data-dir', dir, '--name', name, '--workers', '1', ...join], {
    cwd: ROOT, reject: false, buffer: false, env: { NO_COLOR: '1' }
  })
  const node: ClusterNode = { name, dir, child, stdout: '', stderr: '' }
  void child.then((r) => { node.exit = r.exitCode ?? null })
  child.stdout?.on('data', (d: Buffer) => { node.stdout += d.toString() })
  // the tail is enough to explain a failure; membership lines pile up otherwise
  child.stderr?.on('data', (d: Buffer) => { node.stderr = (node.stderr + d.toString()).slice(-4000) })
  return node
}

function running (n: ClusterNode): boolean {
  if (!n.stdout.includes('is running')) return false
  n.addr ??= /listening on (\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/\w+)/.exec(n.stdout)?.[1]
  return n.addr !== undefined
}

/** Waits (until a deadline) for what a node's progress makes true; fails at once, with its output, if it exits. */
async function untilNode (node: ClusterNode, what: () => string, cond: () => boolean | Promise<boolean>, deadline: number): Promise<void> {
  await until(() => `${what()}; ${node.name} said:\n${node.stderr}`, async () => {
    if (node.exit !== undefined) throw new Error(`node ${node.name} exited (${node.exit}) while waiting for ${what()}:\n${node.stderr}`)
    return await cond()
  }, deadline - Date.now(), 250)
}

/** Ctrl-C to every node (a graceful leave), then SIGKILL to any still running after 10 s. */
async function stopAll (nodes: ClusterNode[]): Promise<void> {
  await Promise.allSettled(nodes.map(async (n) => await n.client?.close()))
  for (const n of nodes) n.child.kill('SIGINT')
  const killer = setTimeout(() => { for (const n of nodes) if (n.exit === undefined) n.child.kill('SIGKILL') }, 10_000)
  await Promise.allSettled(nodes.map(async (n) => await n.child))
  clearTimeout(killer)
}

/** User + system CPU time of a process, from /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s). */
function cpuSeconds (pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}
