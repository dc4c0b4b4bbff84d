// 10,000 random and malformed frames, in ten batches, at the node's own protocols (ipc, node,
// control) of a real mesh node running an agent. After each batch the node must still answer
// on fresh streams; an ipc channel opened before the storm must keep reaching the agent on
// its first stream all through it; and the node must end every bad stream itself, resetting
// every stream that carried bytes no frame can be.
import '../helpers/esm-js-hook.js'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import type { Logger } from '../../src/runtime/logger.js'
import { framed, rng, varint } from '../helpers/fuzz.js'
import { SteadyChannel, Tally } from '../helpers/storm.js'

const { generateKeyPair } = await import('@libp2p/crypto/keys')
const { initCluster, loadCluster } = await import('../../src/runtime/mesh/auth/index.js')
const { Channel, Mesh, encodeFrame } = await import('../../src/runtime/mesh/index.js')
const { createNode } = await import('../../src/runtime/node/index.js')
const { IPC_PROTOCOL, NODE_PROTOCOL } = await import('../../src/runtime/cluster/index.js')
const { CONTROL_PROTOCOL } = await import('../../src/runtime/api/index.js')
const { parseManifest } = await import('../../src/runtime/manifest/index.js')

const { int, pick } = rng(Number(process.env.FUZZ_SEED ?? 0x1ee7))
t.setTimeout(300_000) // 10,000 cases on a 2-core machine that other work shares

const plausible: Record<string, () => object> = {
  [IPC_PROTOCOL]: () => pick([
    { k: 'n', b: { op: 'deliver', envelope: { id: 'x', from: 'a', to: 'nobody', seq: '1', kind: 'message', payload: '{}' } } },
    { k: 'n', b: { op: 'deliver', envelope: { id: 'x', from: 'a', to: 'nobody', seq: '-1', kind: 'weird', payload: 7 } } },
    { k: 'q', id: int(1e6), b: { op: 'request', from: 'a', to: 'nobody', payload: '{}', timeoutMs: 50 } },
    { k: 'q', id: int(1e6), b: { op: 'request', from: 'a', to: 'x'.repeat(300), payload: '{}', timeoutMs: 0 } },
    { k: 'q', id: 1, b: { op: 'explode' } }, { k: 'n' }, { k: 'q', b: {} }
  ]),
  // both are RPC channels: requests ride in `q` frames (a `w` asks for a stream)
  [NODE_PROTOCOL]: () => pick([
    { op: 'agents' }, { op: 'has', id: 'nobody' }, { op: 'inspect', id: 'nobody' }, { op: 'stop', id: 'nobody' },
    { op: 'blob', hash: 'f'.repeat(64), offset: 0 }, { op: 'blob', hash: 'zz', offset: -1 }, { op: 'follow', id: 'nobody' },
    { op: 'deploy', hash: '0'.repeat(64), manifest: { name: 'X' }, id: 'y', namespace: 'default' }, { op: 'nope' }, {}
  ].map((b) => ({ k: 'q', id: int(1e6), b, ...(b.op === 'follow' ? { w: 4 } : {}) }))),
  [CONTROL_PROTOCOL]: () => pick([
    { token: 'mct1.x.y', method: 'agent.list', params: {} }, { token: randomBytes(40).toString('base64'), method: 'mesh.leave', params: null },
    { token: '', method: 'agent.list', params: {} }, { method: 'agent.list' }, { token: 'x', method: 'x'.repeat(100), params: [] },
    { method: 'agent.logs.follow', params: { id: 'nobody' } }
  ].map((b) => ({ k: 'q', id: int(1e6), b, ...(b.method === 'agent.logs.follow' ? { w: 4 } : {}) })))
}

/** One fuzz case: the bytes to send on a fresh stream, and whether no frame can be read from them (the node must reset). */
function fuzzCase (protocol: string): { payload: Uint8Array, malformed: boolean } {
  const kind = int(100)
  if (kind < 15) return { payload: randomBytes(int(1024)), malformed: false } // noise
  if (kind < 22) return { payload: Uint8Array.from([0x80 | int(128)]), malformed: false } // a truncated length prefix
  if (kind < 30) return { payload: Buffer.concat([Uint8Array.from(varint(2 ** 21 + int(2 ** 24))), randomBytes(16)]), malformed: true } // an oversize length
  if (kind < 40) return { payload: framed(Buffer.from(`not json at all ${int(1e9)}`)), malformed: true }
  if (kind < 50) return { payload: framed(Buffer.from(JSON.stringify(pick([[], 1, 'x', null, { a: { b: [1, 2] } }])))), malformed: true } // no frame of any of the three
  if (kind < 95) return { payload: encodeFrame(plausible[protocol]()), malformed: false }
  return { payload: Buffer.concat([encodeFrame(plausible[protocol]()), randomBytes(32)]), malformed: false } // a frame, then garbage
}

t.test('the node survives 10,000 bad frames on ipc, node and control, resets only the bad streams, and still serves', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mielin-fuzz-node-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await initCluster(dir)
  let badFrames = 0
  const errors: string[] = []
  const log: Logger = Object.assign((message: string) => { if (/bad frame/.test(message)) badFrames++ }, {
    error: (message: string) => { errors.push(message) },
    enabled: true
  })
  const node = await createNode({ logger: log }, { dataDir: dir, workers: 1, mesh: { host: '127.0.0.1', port: 0, name: 'target' } })
  t.teardown(() => node.stop())
  const target = node.mesh
  if (target === undefined) throw new Error('createNode with `mesh` made a node without one')
  // an agent that replies with what it is sent: a request over ipc gets a real answer
  await node.kernel.deploy({ component: await readFile(new URL('../fixtures/agents/echo.wasm', import.meta.url)), manifest: parseManifest({ name: 'echo', version: '0.1.0' }) })

  const { clusterKey } = await loadCluster(dir)
  const client = new Mesh({}, { privateKey: await generateKeyPair('Ed25519'), clusterKey, host: '127.0.0.1', port: 0, transports: ['tcp'] })
  await client.start()
  t.teardown(() => client.stop())
  const peer = await client.dial(target.addrs[0])
  const conn = client.libp2p.getConnections(peer)[0]
  const ask = (text: string): object => ({ op: 'request', from: 'fuzz', to: 'echo', payload: JSON.stringify(text), timeoutMs: 5000 })

  // an ipc channel opened before the storm, on the fuzzing connection, used all through it
  const channel = new Channel({ protocol: IPC_PROTOCOL, peer: 'target' }, { stream: await conn.newStream(IPC_PROTOCOL), connection: conn })
  t.teardown(async () => { await channel.close() })
  const steady = new SteadyChannel(async (n) => {
    const answer = await channel.request(ask(`steady ${n}`), { timeoutMs: 10_000 })
    return { right: answer.reply === JSON.stringify(`steady ${n}`), answer }
  })
  await steady.once()
  t.equal(steady.answers, 1, 'the agent answers over the steady channel before the storm')

  const protocols = [IPC_PROTOCOL, NODE_PROTOCOL, CONTROL_PROTOCOL]
  const tally = new Tally()
  const started = Date.now()
  const BATCHES = 10
  const CASES = 1000 // a batch
  for (let batch = 1; batch <= BATCHES; batch++) {
    const t0 = Date.now()
    let next = 0
    await steady.during(async () => {
      await Promise.all(Array.from({ length: 24 }, async () => {
        while (next < CASES) {
          const protocol = protocols[next++ % protocols.length]
          await tally.throw(conn, protocol, fuzzCase(protocol))
        }
      }))
    })
    t.comment(`batch ${batch}: ${tally.thrown} cases so far, ${Date.now() - t0} ms, steady channel answered ${steady.answers}`)

    const { got, want } = tally.verdict(steady)
    if (!t.same(got, want, `batch ${batch}: only bad streams ended: the steady channel answered on its first stream, the connection stayed, the node ended every bad stream`)) break // the next batches would only fail the same way, slowly
    // the node still serves, on fresh streams of the same connection
    const fresh = new Channel({ protocol: IPC_PROTOCOL, peer: 'target' }, { stream: await conn.newStream(IPC_PROTOCOL), connection: conn })
    const echoed = await fresh.request(ask(`fresh ${batch}`))
    await fresh.close()
    const agents = await client.request<{ agents: Array<{ id: string }> }>(peer, NODE_PROTOCOL, { op: 'agents' }, { timeoutMs: 10_000 })
    const denied: unknown = await client.request(peer, CONTROL_PROTOCOL, { token: 'mct1.bad.token', method: 'agent.list', params: {} }, { timeoutMs: 10_000 }).catch((err: unknown) => err)
    t.match({ echoed, agents: agents.agents.map((a) => a.id), denied }, { echoed: { reply: JSON.stringify(`fresh ${batch}`) }, agents: ['echo'], denied: { code: /E_TOKEN_/ } },
      `batch ${batch}: a fresh ipc channel reaches the agent, node answers, control still checks tokens`)
  }
  const { endings } = tally
  t.equal(tally.thrown, 10_000, `10,000 cases thrown in ${Date.now() - started} ms`)
  t.ok(steady.answers > 100, `the steady channel answered ${steady.answers} requests during the storm`)
  t.ok(channel.open, 'and is still open on its first stream')
  t.equal(endings.refused, 0, 'no stream was refused at negotiation: every case reached a handler')
  t.same(tally.notReset, [], 'every stream that carried bytes no frame can be was reset')
  t.ok(endings.reset > 3000, `the node reset ${endings.reset} streams`)
  // a stream that ends inside a frame (a truncated prefix, a short body) is a bad frame: reset
  t.ok(endings.closed > 2000, `and answered or closed ${endings.closed} cleanly`)
  t.ok(badFrames > 3000, `the node logged ${badFrames} bad frames`)
  t.same(errors, [], 'no handler crashed, nothing escaped as an error')
  t.equal(node.kernel.info('echo').status, 'running', 'the agent still runs')
})
