import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { execa } from 'execa'
import { joinCluster, loadCluster } from '../src/runtime/mesh/auth/index.js'
import { Mesh } from '../src/runtime/mesh/index.js'
import { createNode } from '../src/runtime/node/index.js'
import { buildFixtureAgent } from '../test/helpers/agents.js'
import { ANCHORS_DIR, print, runAnchor } from './anchors.js'
import { until } from '../test/helpers/until.js'
import { startCluster } from './cluster.js'
import { ECHO_PROTOCOL, quicNode } from './echo-peer.js'
import { percentile } from './stats.js'

/**
 * The mesh (issue 4), each figure beside its anchor from the same run:
 * - cross-node request/reply through the kernel to a no-op agent on the other node, which
 *   runs as its own process as it would on another machine: sequential p50 and pipelined
 *   (100 and 1000 in flight) msgs/s, against NATS request/reply (targets: p50 ≤ 1.0× NATS,
 *   pipelined ≥ 1.0× NATS; the NATS anchor has 100 in flight) and raw libp2p echo;
 * - the floor under it: a bare js-libp2p QUIC echo between two processes, no mielin code;
 * - connection set-up: a new client dialing a node until admitted.
 */
export async function benchMesh (): Promise<void> {
  const ours = new Map<string, number>()
  const figure = (name: string, value: number, unit: string): void => { ours.set(name, value); print(name, value, unit) }
  // node B is a real `mielin mesh start` process; node A is this process (an embedded node)
  const cluster = await startCluster({ nodes: 1, onProgress: (m) => process.stderr.write(`mesh: ${m}\n`) })
  const a = await mkdtemp(path.join(os.tmpdir(), 'mielin-bench-mesh-'))
  try {
    await joinCluster(a, cluster.joinToken)
    const b = cluster.nodes[0]
    const node = await createNode({}, { dataDir: a, workers: 1, mesh: { host: '127.0.0.1', port: 0, name: 'a', join: [b.addr as string] } })
    const nodeA = { ...node.mesh!, stop: node.stop }
    try {
      const noop = await buildFixtureAgent('noop', { limits: { memoryMb: 64, deadlineMs: 1000, mailbox: 10_000 } })
      await until('node A to see node B alive', () => nodeA.status().peers.alive >= 1, 30_000, 250)
      await nodeA.cluster.deploy({ bytes: noop.bytes, manifest: noop.manifest, node: b.name })
      await nodeA.cluster.deploy({ bytes: noop.bytes, manifest: noop.manifest, name: 'noop-here', node: 'a' })
      const ask = async (to = 'noop'): Promise<unknown> => await nodeA.cluster.request('bench', to, 'null', 10_000)
      for (let i = 0; i < 1000; i++) await ask() // warm-up
      const lat = await sequential(5000, ask)
      figure('mesh_reqrep_seq_p50', percentile(lat, 0.5), 'us (node A → node B\'s kernel → no-op agent → back; B is its own process)')
      print('mesh_reqrep_seq_p99', percentile(lat, 0.99), 'us')
      for (let i = 0; i < 1000; i++) await ask('noop-here') // warm-up: V8 tiers the agent's code up as it runs
      const local = await sequential(3000, async () => await ask('noop-here'))
      print('mesh_same_node_reqrep_seq_p50', percentile(local, 0.5), 'us (no network: kernel + worker thread + agent)')
      for (const inFlight of [100, 1000]) {
        let left = 40_000
        const t0 = performance.now()
        await Promise.all(Array.from({ length: inFlight }, async () => { while (left-- > 0) await ask() }))
        figure(`mesh_reqrep_pipelined_${inFlight}`, 40_000 / ((performance.now() - t0) / 1000), 'msgs/s')
      }
      print('mesh_connection_setup', await connectionSetup(a, b.addr as string), 'ms (median of 10, dial until admitted)')
      figure('mesh_floor_libp2p_quic_echo_cross_process_p50', percentile(await bareEcho(), 0.5), 'us (js-libp2p alone: 64 B echo to another process over QUIC)')
    } finally {
      await nodeA.stop()
    }
  } finally {
    await cluster.stop()
    await rm(a, { recursive: true, force: true })
  }
  const nats = await anchors()
  const ratio = (name: string, mine: string, theirs: string, target: string): void => {
    const [a, b] = [ours.get(mine), nats.get(theirs)]
    if (a !== undefined && b !== undefined) print(name, a / b, `x (target ${target})`)
  }
  ratio('ratio_mesh_reqrep_seq_p50_vs_nats', 'mesh_reqrep_seq_p50', 'nats_reqrep_seq_p50', '<= 1.0')
  ratio('ratio_mesh_reqrep_pipelined_100_vs_nats', 'mesh_reqrep_pipelined_100', 'nats_reqrep_pipelined_100', '>= 1.0')
  ratio('ratio_floor_libp2p_quic_echo_p50_vs_nats', 'mesh_floor_libp2p_quic_echo_cross_process_p50', 'nats_reqrep_seq_p50', 'none: what the transport alone costs')
}

/** Latencies in µs of `n` calls one after another. */
async function sequential (n: number, call: () => Promise<unknown>): Promise<number[]> {
  const lat: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint()
    await call()
    lat.push(Number(process.hrtime.bigint() - t0) / 1000)
  }
  return lat
}

/** Round trips (µs) of a bare libp2p QUIC echo to bench/echo-peer.ts in its own process. */
async function bareEcho (): Promise<number[]> {
  const peer = execa(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('echo-peer.ts', import.meta.url))], { reject: false })
  const node = await quicNode()
  try {
    const addr = await new Promise<string>((resolve, reject) => {
      peer.stdout?.once('data', (d: Buffer) => { resolve(d.toString().trim()) })
      void peer.then((r) => { reject(new Error(`echo peer exited: ${r.stderr?.toString() ?? ''}`)) })
    })
    const lp = lpStream(await node.dialProtocol(multiaddr(addr), ECHO_PROTOCOL))
    const message = new Uint8Array(64).fill(7)
    const once = async (): Promise<unknown> => { await lp.write(message); return await lp.read() }
    for (let i = 0; i < 1000; i++) await once()
    return await sequential(5000, once)
  } finally {
    await node.stop()
    peer.kill()
    await peer
  }
}

async function connectionSetup (dataDir: string, addr: string): Promise<number> {
  const { clusterKey } = await loadCluster(dataDir)
  const times: number[] = []
  for (let i = 0; i < 11; i++) {
    const client = new Mesh({}, { privateKey: await generateKeyPair('Ed25519'), clusterKey, host: '127.0.0.1', port: 0, transports: ['tcp'] })
    await client.start()
    const t0 = performance.now()
    await client.dial(addr)
    if (i > 0) times.push(performance.now() - t0)
    await client.stop()
  }
  return percentile(times, 0.5)
}

/** NATS request/reply and raw libp2p echo from ../shared/anchors, when set up there; returns the NATS figures. */
async function anchors (): Promise<Map<string, number>> {
  const figures = new Map<string, number>()
  const hasNats = await execa('nats-server', ['--version'], { reject: false }).catch(() => ({ exitCode: 1 }))
  if (hasNats.exitCode !== 0) {
    print('anchor_nats', 'missing (run ../shared/anchors/setup.sh: it installs nats-server)', 'info')
  } else {
    const nats = await runAnchor('nats.sh')
    if ('missing' in nats) print('anchor_nats', `missing (${nats.missing})`, 'info')
    else {
      for (const f of nats.figures.filter((x) => /^nats_reqrep_(seq_p50|seq_p99|pipelined_100)$/.test(x.name))) {
        figures.set(f.name, f.value)
        print(`anchor_${f.name}`, f.value, f.unit)
      }
    }
  }
  const libp2p = await runAnchor('libp2p.mjs', ['tcp_tls'], { runner: process.execPath })
  if ('missing' in libp2p) print('anchor_libp2p', `missing (${libp2p.missing}; run ${ANCHORS_DIR}setup.sh)`, 'info')
  else for (const f of libp2p.figures.filter((x) => /echo_seq_p50|echo_pipelined_100|dial_first_echo/.test(x.name))) print(`anchor_${f.name}`, f.value, f.unit)
  return figures
}
