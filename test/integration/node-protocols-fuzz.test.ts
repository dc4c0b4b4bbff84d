// 10,000 random and malformed frames at the node's own protocols (ipc, node, control) of a
// real mesh node; it must stay up, reset only the offending streams, and still serve.
import '../helpers/esm-js-hook.js'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'

const { generateKeyPair } = await import('@libp2p/crypto/keys')
const { initCluster, loadCluster } = await import('../../src/runtime/mesh/auth/index.js')
const { Mesh, encodeFrame } = await import('../../src/runtime/mesh/index.js')
const { createNode } = await import('../../src/runtime/node/index.js')
const { IPC_PROTOCOL, NODE_PROTOCOL } = await import('../../src/runtime/cluster/index.js')
const { CONTROL_PROTOCOL } = await import('../../src/runtime/api/index.js')

let seed = 0x1ee7
const rand = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32 }
const int = (n: number): number => Math.floor(rand() * n)
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T
const varint = (n: number): number[] => { const o: number[] = []; while (n >= 0x80) { o.push((n & 0x7f) | 0x80); n = Math.floor(n / 128) } o.push(n); return o }
const framed = (b: Uint8Array): Uint8Array => Buffer.concat([Uint8Array.from(varint(b.byteLength)), b])

const plausible: Record<string, () => object> = {
  [IPC_PROTOCOL]: () => pick([
    { k: 'n', b: { op: 'deliver', envelope: { id: 'x', from: 'a', to: 'nobody', seq: '1', kind: 'message', payload: '{}' } } },
    { k: 'n', b: { op: 'deliver', envelope: { id: 'x', from: 'a', to: 'nobody', seq: '-1', kind: 'weird', payload: 7 } } },
    { k: 'q', id: int(1e6), b: { op: 'request', from: 'a', to: 'nobody', payload: '{}', timeoutMs: 50 } },
    { k: 'q', id: int(1e6), b: { op: 'request', from: 'a', to: 'x'.repeat(300), payload: '{}', timeoutMs: 0 } },
    { k: 'q', id: 1, b: { op: 'explode' } }, { k: 'n' }, { k: 'q', b: {} }
  ]),
  [NODE_PROTOCOL]: () => pick([
    { op: 'agents' }, { op: 'has', id: 'nobody' }, { op: 'inspect', id: 'nobody' }, { op: 'stop', id: 'nobody' },
    { op: 'blob', hash: 'f'.repeat(64), offset: 0 }, { op: 'blob', hash: 'zz', offset: -1 },
    { op: 'deploy', hash: '0'.repeat(64), manifest: { name: 'X' }, id: 'y', namespace: 'default' }, { op: 'nope' }, {}
  ]),
  [CONTROL_PROTOCOL]: () => pick([
    { token: 'mct1.x.y', method: 'agent.list', params: {} }, { token: randomBytes(40).toString('base64'), method: 'mesh.leave', params: null },
    { token: '', method: 'agent.list', params: {} }, { method: 'agent.list' }, { token: 'x', method: 'x'.repeat(100), params: [] }
  ])
}

function fuzzCase (protocol: string): Uint8Array {
  const kind = int(100)
  if (kind < 15) return randomBytes(int(1024))
  if (kind < 22) return Uint8Array.from([0x80 | int(128)])
  if (kind < 30) return Buffer.concat([Uint8Array.from(varint(2 ** 21 + int(2 ** 24))), randomBytes(16)])
  if (kind < 40) return framed(Buffer.from('not json at all ' + int(1e9)))
  if (kind < 50) return framed(Buffer.from(JSON.stringify(pick([[], 1, 'x', null, { a: { b: [1, 2] } }]))))
  if (kind < 95) return encodeFrame(plausible[protocol]())
  return Buffer.concat([encodeFrame(plausible[protocol]()), randomBytes(32)])
}

t.test('the node survives 10,000 bad frames on ipc, node and control, and still serves', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mielin-fuzz-node-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await initCluster(dir)
  const node = await createNode({}, { dataDir: dir, workers: 1, mesh: { host: '127.0.0.1', port: 0, name: 'target' } })
  const target = node.mesh!
  t.teardown(() => node.stop())
  const { clusterKey } = await loadCluster(dir)
  const client = new Mesh({ privateKey: await generateKeyPair('Ed25519'), clusterKey, host: '127.0.0.1', port: 0, transports: ['tcp'] })
  await client.start()
  t.teardown(() => client.stop())
  const peer = await client.dial(target.addrs[0])
  const conn = client.libp2p.getConnections(peer)[0]
  const protocols = [IPC_PROTOCOL, NODE_PROTOCOL, CONTROL_PROTOCOL]
  let next = 0
  const CASES = 10_000
  await Promise.all(Array.from({ length: 24 }, async () => {
    while (next < CASES) {
      const protocol = protocols[next++ % protocols.length]
      try {
        const stream = await conn.newStream(protocol, { signal: AbortSignal.timeout(5000) })
        if (!stream.send(fuzzCase(protocol))) await stream.onDrain({ signal: AbortSignal.timeout(5000) })
        await stream.close({ signal: AbortSignal.timeout(5000) }).catch(() => {})
        void (async () => { try { for await (const _ of stream) { /* drain */ } } catch {} })()
      } catch { /* the node may refuse or reset a stream: that is the point */ }
    }
  }))
  t.equal(target.status().peers.alive >= 0, true, 'the node is up')
  const agents = await client.request<{ agents: unknown[] }>(peer, NODE_PROTOCOL, { op: 'agents' }, { timeoutMs: 10_000 })
  t.same(agents.agents, [], 'and still answers a correct request')
  const denied = await client.request<{ error?: { code: string } }>(peer, CONTROL_PROTOCOL, { token: 'mct1.bad.token', method: 'agent.list', params: {} }, { timeoutMs: 10_000 })
  t.match(denied.error, { code: /E_TOKEN_/ }, 'and still checks tokens')
})
