// A send capability delegated to an agent on another node: node A runs in this process,
// node B is its own `mielin mesh start` process (from the sources); the message carries the
// capability, B's kernel grants it, and B's agent can then send to the agent on A.
import '../helpers/esm-js-hook.js'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import t from 'tap'
import type { AgentInfo } from '../../src/runtime/types/index.js'
import { buildFixtureAgent } from '../helpers/agents.js'
import { ROOT } from '../helpers/cli.js'
import { until } from '../helpers/until.js'

const { initCluster, joinCluster } = await import('../../src/runtime/mesh/auth/index.js')
const { createNode } = await import('../../src/runtime/node/index.js')

t.setTimeout(240_000)
const DEV = fileURLToPath(new URL('../../bin/dev.js', import.meta.url))
const probe = await buildFixtureAgent('probe')
const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-delegation-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))
const [dirA, dirB] = [path.join(tmp, 'a'), path.join(tmp, 'b')]
const { joinToken } = await initCluster(dirA)
await joinCluster(dirB, joinToken)

const a = await createNode({}, { dataDir: dirA, workers: 1, mesh: { host: '127.0.0.1', port: 0, name: 'a', heartbeatMs: 500 } })
t.teardown(() => a.stop())
const cluster = a.mesh!.cluster

// `--import tsx` so that B's worker threads load the TypeScript sources too
const b = execa(process.execPath, ['--import', 'tsx', DEV, 'mesh', 'start', '--bind', '127.0.0.1:0', '--data-dir', dirB, '--name', 'b', '--workers', '1', '--heartbeat-ms', '500', '--join', a.mesh!.addrs[0]], {
  cwd: ROOT, reject: false, buffer: false, env: { NO_COLOR: '1' }
})
let out = ''
b.stdout?.on('data', (d: Buffer) => { out += d.toString() })
b.stderr?.on('data', (d: Buffer) => { out += d.toString() })
t.teardown(async () => { b.kill('SIGINT'); await b })

const ask = async (to: string, payload: object): Promise<unknown> => JSON.parse((await cluster.request('cli:test', to, JSON.stringify(payload), 20_000)).reply ?? 'null')
const capsOf = async (id: string): Promise<string[]> => (await cluster.onOwner<AgentInfo>(id, { op: 'inspect', id })).result.caps

t.test('B\'s agent can send to X on A once A\'s agent delegated send:X to it, and not before', async (t) => {
  await until(() => `node B to start: ${out}`, () => out.includes('is running'), 90_000, 100)
  await until('A to see B alive', () => a.mesh!.status().peers.alive >= 1, 30_000, 100)
  await cluster.deploy({ bytes: probe.bytes, manifest: probe.manifest, name: 'x', node: 'a', caps: ['log'] })
  await cluster.deploy({ bytes: probe.bytes, manifest: probe.manifest, name: 'boss', node: 'a', caps: ['log', 'send:relay', 'send:x'] })
  const [placed] = await cluster.deploy({ bytes: probe.bytes, manifest: probe.manifest, name: 'relay', node: 'b', caps: ['log', 'send:boss'] })
  t.match(placed, { agent: 'relay', nodeName: 'b' })

  await t.rejects(ask('relay', { op: 'send', to: 'x', payload: { op: 'count', n: 5 } }), /E_CAP_DENIED: Agent "relay" holds no "send:x"/, 'without the delegation B\'s send to X is refused')
  await t.rejects(ask('boss', { op: 'send', to: 'relay', payload: { op: 'noop' }, delegate: ['elsewhere'] }), /E_CAP_DENIED: Agent "boss" holds no "send:elsewhere"/, 'A\'s agent cannot delegate what it does not hold')

  await ask('boss', { op: 'send', to: 'relay', payload: { op: 'noop' }, delegate: ['x'] })
  await until('B\'s kernel to grant send:x to relay', async () => (await capsOf('relay')).includes('send:x'), 20_000, 50)
  t.same(await capsOf('relay'), ['log', 'send:boss', 'send:x'])

  await ask('relay', { op: 'send', to: 'x', payload: { op: 'count', n: 5 } })
  await until('the message from B to reach X on A', async () => ((await ask('x', { op: 'count', n: 0 })) as { count: number }).count === 5, 20_000, 50)
  t.pass('X on A counted the message relay sent from B')
})
