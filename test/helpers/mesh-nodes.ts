/**
 * Real mesh nodes in the test's process, each with its own data dir in one cluster, the later
 * ones joined to the first, heartbeating every 200 ms on 127.0.0.1. Stopped and removed at the
 * end of the test; `stop` stops one earlier (it leaves the mesh).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Test } from 'tap'
import type { MielinNode } from '../../src/runtime/node/index.js'
import { until } from './until.js'

export async function meshNodes (t: Test, names: string[]): Promise<Record<string, MielinNode>> {
  // loaded here, after the caller's esm-js-hook: these load libp2p
  const { initCluster, joinCluster } = await import('../../src/runtime/mesh/auth/index.js')
  const { createNode } = await import('../../src/runtime/node/index.js')
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-nodes-'))
  t.teardown(() => rm(tmp, { recursive: true, force: true }))
  const nodes: Record<string, MielinNode> = {}
  let joinToken = ''
  for (const name of names) {
    const dataDir = path.join(tmp, name)
    if (joinToken === '') joinToken = (await initCluster(dataDir)).joinToken
    else await joinCluster(dataDir, joinToken)
    const first = Object.values(nodes)[0]
    const join = first === undefined ? [] : [first.mesh!.addrs[0]]
    const node = await createNode({}, { dataDir, workers: 1, mesh: { host: '127.0.0.1', port: 0, name, heartbeatMs: 200, join } })
    t.teardown(() => node.stop())
    nodes[name] = node
  }
  await until('every node to see all the others alive', () => Object.values(nodes).every((n) =>
    n.mesh!.cluster.peers().filter((p) => p.state === 'alive').length === names.length), 20_000)
  return nodes
}
