// The same RPC cases over each transport a caller meets: the local control socket (a Unix
// socket) and a libp2p stream between two real nodes on 127.0.0.1 (what remote control and
// node-to-node calls run on).
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import '../helpers/esm-js-hook.js'
import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { ControlClient, ControlServer, controlSocketPath } from '../../src/runtime/control/index.js'
import { RpcClient, serveMethods } from '../../src/runtime/rpc/index.js'
import { methods, newSeen, rpcBehaviour } from '../helpers/rpc-behaviour.js'

const { Mesh } = await import('../../src/runtime/mesh/index.js')
const quiet = Object.assign(() => {}, { error: () => {}, enabled: false })

t.test('over the Unix control socket', async (t) => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-rpc-'))
  t.teardown(() => rm(tmp, { recursive: true, force: true }))
  let n = 0
  rpcBehaviour(t, async (t) => {
    const seen = newSeen()
    const { calls, streams } = methods(seen)
    const server = new ControlServer({ socketPath: controlSocketPath(path.join(tmp, `n${++n}`)), handlers: calls, streams, logger: quiet })
    await server.start()
    t.teardown(() => server.stop())
    const client = await ControlClient.connect(server.socketPath)
    t.teardown(() => client.close())
    return { client, seen }
  })
})

t.test('over a libp2p stream between two nodes', async (t) => {
  const clusterKey = randomBytes(32)
  const [a, b] = await Promise.all([0, 1].map(async () => {
    const mesh = new Mesh({ logger: quiet }, { privateKey: await generateKeyPair('Ed25519'), clusterKey, host: '127.0.0.1', port: 0, transports: ['tcp'] })
    await mesh.start()
    return mesh
  })) as [InstanceType<typeof Mesh>, InstanceType<typeof Mesh>]
  t.teardown(async () => { await Promise.all([a.stop(), b.stop()]) })
  await b.dial(a.multiaddrs()[0])
  let n = 0
  rpcBehaviour(t, async (t) => {
    const seen = newSeen()
    const protocol = `/mielin/rpc-test-${++n}/1.0.0`
    const entry = serveMethods(methods(seen))
    await a.handleChannel(protocol, entry.schema, (body, ctx) => entry.handler(body, ctx))
    t.teardown(() => a.unhandle(protocol))
    const client = new RpcClient(b.channel(a.peerId, protocol))
    t.teardown(() => client.close())
    return { client, seen }
  })
})
