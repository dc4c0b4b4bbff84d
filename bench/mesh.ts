import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { execa } from 'execa'
import { initCluster, joinCluster, loadCluster } from '../src/runtime/mesh/auth/index.js'
import { Mesh } from '../src/runtime/mesh/index.js'
import { startMeshNode } from '../src/runtime/node/mesh/mesh-node.js'
import { buildFixtureAgent } from '../test/helpers/agents.js'
import { ANCHORS_DIR, print, runAnchor } from './anchors.js'

/**
 * The mesh (issue 4), each figure beside its anchor from the same run:
 * - cross-node request/reply through the kernel to a no-op agent on the other node:
 *   sequential p50 and pipelined (100 in flight) msgs/s, against NATS request/reply
 *   (targets: p50 ≤ 1.0× NATS, pipelined ≥ 1.0× NATS) and raw libp2p echo;
 * - connection set-up: a new client dialing a node until admitted.
 */
export async function benchMesh (): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mielin-bench-mesh-'))
  const a = path.join(dir, 'a')
  const b = path.join(dir, 'b')
  try {
    const { joinToken } = await initCluster(a)
    await joinCluster(b, joinToken)
    const nodeA = await startMeshNode({ dataDir: a, host: '127.0.0.1', port: 0, name: 'a', workers: 1 })
    const nodeB = await startMeshNode({ dataDir: b, host: '127.0.0.1', port: 0, name: 'b', workers: 1, join: [nodeA.addrs[0]] })
    try {
      const noop = await buildFixtureAgent('noop', { limits: { memoryMb: 64, deadlineMs: 1000, mailbox: 10_000 } })
      while (nodeA.status().peers.alive < 1) await new Promise((resolve) => setTimeout(resolve, 100))
      await nodeA.services.deploy({ bytes: noop.bytes, manifest: noop.manifest, node: 'b' })
      const ask = async (): Promise<unknown> => await nodeA.services.request('bench', 'noop', 'null', 10_000)
      for (let i = 0; i < 500; i++) await ask() // warm-up
      const lat: number[] = []
      for (let i = 0; i < 5000; i++) {
        const t0 = process.hrtime.bigint()
        await ask()
        lat.push(Number(process.hrtime.bigint() - t0) / 1000)
      }
      lat.sort((x, y) => x - y)
      print('mesh_reqrep_seq_p50', lat[Math.floor(lat.length / 2)], 'us')
      const local: number[] = []
      for (let i = 0; i < 3000; i++) {
        const t0 = process.hrtime.bigint()
        await nodeB.services.request('bench', 'noop', 'null', 10_000)
        local.push(Number(process.hrtime.bigint() - t0) / 1000)
      }
      local.sort((x, y) => x - y)
      print('mesh_same_node_reqrep_seq_p50', local[Math.floor(local.length / 2)], 'us (no network: kernel + worker + agent)')
      print('mesh_reqrep_seq_p99', lat[Math.floor(lat.length * 0.99)], 'us')
      let left = 20_000
      const t0 = performance.now()
      await Promise.all(Array.from({ length: 100 }, async () => { while (left-- > 0) await ask() }))
      print('mesh_reqrep_pipelined_100', 20_000 / ((performance.now() - t0) / 1000), 'msgs/s')
      print('mesh_connection_setup', await connectionSetup(a, nodeA.addrs[0]), 'ms (median of 10, dial until admitted)')
    } finally {
      await nodeB.stop()
      await nodeA.stop()
    }
    await anchors()
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function connectionSetup (dataDir: string, addr: string): Promise<number> {
  const { clusterKey } = await loadCluster(dataDir)
  const times: number[] = []
  for (let i = 0; i < 11; i++) {
    const client = new Mesh({ privateKey: await generateKeyPair('Ed25519'), clusterKey, host: '127.0.0.1', port: 0, transports: ['tcp'] })
    await client.start()
    const t0 = performance.now()
    await client.dial(addr)
    if (i > 0) times.push(performance.now() - t0)
    await client.stop()
  }
  times.sort((x, y) => x - y)
  return times[5]
}

/** NATS request/reply and raw libp2p echo from ../shared/anchors, when set up there. */
async function anchors (): Promise<void> {
  const hasNats = await execa('nats-server', ['--version'], { reject: false }).catch(() => ({ exitCode: 1 }))
  if (hasNats.exitCode !== 0) {
    print('anchor_nats', 'missing (run ../shared/anchors/setup.sh: it installs nats-server)', 'info')
  } else {
    const nats = await runAnchor('nats.sh')
    if ('missing' in nats) print('anchor_nats', `missing (${nats.missing})`, 'info')
    else for (const f of nats.figures.filter((x) => /^nats_reqrep_(seq_p50|seq_p99|pipelined_100)$/.test(x.name))) print(`anchor_${f.name}`, f.value, f.unit)
  }
  const libp2p = await runAnchor('libp2p.mjs', ['tcp_tls'], { runner: process.execPath })
  if ('missing' in libp2p) print('anchor_libp2p', `missing (${libp2p.missing}; run ${ANCHORS_DIR}setup.sh)`, 'info')
  else for (const f of libp2p.figures.filter((x) => /echo_seq_p50|echo_pipelined_100|dial_first_echo/.test(x.name))) print(`anchor_${f.name}`, f.value, f.unit)
}
