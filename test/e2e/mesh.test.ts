// Three real node processes on 127.0.0.1, started and joined with the CLI exactly as the
// README says; an agent placed by a constraint only node C meets; messages routed to it;
// C killed and declared dead; an outsider and bad tokens refused.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { execa, type ResultPromise } from 'execa'
import t from 'tap'
import { issueToken, loadAdminKey } from '../../src/runtime/mesh/auth/index.js'
import { buildFixtureAgent } from '../helpers/agents.js'
import { mielin, ROOT } from '../helpers/cli.js'
import { until } from '../helpers/until.js'
import { freePort } from '../helpers/ports.js'

t.setTimeout(300_000)
const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-mesh-e2e-'))
const probe = await buildFixtureAgent('probe')
const dir = (n: string): string => path.join(tmp, n)
const nodes = new Map<string, { child: ResultPromise, stderr: string, stdout: string, port: number, exit?: number | null }>()

t.teardown(async () => {
  for (const [name, n] of nodes) if (n.exit !== undefined && n.exit !== 0 && n.exit !== null) t.comment(`node ${name} exited ${n.exit}:\n${n.stderr}`)
  for (const n of nodes.values()) n.child.kill('SIGKILL')
  await Promise.allSettled([...nodes.values()].map(async (n) => await n.child))
  await rm(tmp, { recursive: true, force: true })
})

/** Starts `mielin mesh start` and resolves once it says it is running. */
async function start (name: string, join?: number): Promise<void> {
  const port = await freePort()
  const args = ['bin/run.js', 'mesh', 'start', '--bind', `127.0.0.1:${port}`, '--data-dir', dir(name), '--name', name, '--label', `zone=${name}`, '--heartbeat-ms', '700', '--workers', '1']
  if (join !== undefined) args.push('--join', `127.0.0.1:${join}`)
  const child = execa(process.execPath, args, { cwd: ROOT, reject: false, buffer: false, env: { NO_COLOR: '1' } })
  const node: { child: ResultPromise, stderr: string, stdout: string, port: number, exit?: number | null } = { child, stderr: '', stdout: '', port }
  nodes.set(name, node)
  void child.then((r) => { node.exit = r.exitCode ?? null })
  child.stderr?.on('data', (d: Buffer) => { node.stderr += d.toString() })
  child.stdout?.on('data', (d: Buffer) => { node.stdout += d.toString() })
  await until(() => `${name} to start: ${node.stderr}`, () => node.stdout.includes('is running'), 30_000, 100)
}

type PeerRow = { name: string, state: string, hardware: { arch: string, cores: number } }
const peersOf = async (name: string): Promise<PeerRow[]> =>
  JSON.parse((await mielin(['mesh', 'peers', '--data-dir', dir(name), '--json'])).stdout) as PeerRow[]

t.test('a cluster of three, set up with one command per node', async (t) => {
  const init = await mielin(['mesh', 'init', '--data-dir', dir('a'), '--json'])
  t.equal(init.exitCode, 0, init.stderr)
  const { joinToken } = JSON.parse(init.stdout) as { joinToken: string }
  for (const n of ['b', 'c']) t.equal((await mielin(['mesh', 'join', joinToken, '--data-dir', dir(n)])).exitCode, 0)
  await start('a')
  await start('b', nodes.get('a')?.port)
  await start('c', nodes.get('b')?.port) // joins through b only: it learns of a from heartbeats
  for (const n of ['a', 'b', 'c']) {
    await until(`${n} to see all three`, async () => (await peersOf(n)).filter((p) => p.state === 'alive').length === 3, 20_000, 100)
    const peers = await peersOf(n)
    t.same(peers.map((p) => p.name).sort(), ['a', 'b', 'c'], `mesh peers on ${n} shows all three`)
    t.ok(peers.every((p) => p.hardware.arch === 'x86_64' || p.hardware.arch === 'aarch64'), 'with their hardware summaries')
  }
  const human = await mielin(['mesh', 'peers', '--data-dir', dir('a')])
  t.match(human.stdout, /\* a\s+alive\s+x86_64|\* a\s+alive\s+aarch64/)
})

t.test('deployed from A with a constraint only C meets, it lands on C and answers A', async (t) => {
  await until('a to see c alive', async () => (await peersOf('a')).find((p) => p.name === 'c')?.state === 'alive', 20_000, 100)
  const deployed = await mielin(['agent', 'deploy', probe.file, '--require', 'label=zone=c', '--data-dir', dir('a'), '--json'])
  t.equal(deployed.exitCode, 0, deployed.stdout + deployed.stderr)
  const [placement] = JSON.parse(deployed.stdout) as Array<{ agent: string, nodeName: string }>
  t.match(placement, { agent: 'probe', nodeName: 'c' })
  const sent = await mielin(['agent', 'send', 'probe', '{"op":"count","n":2}', '--wait', '--data-dir', dir('a'), '--json'])
  t.equal(sent.exitCode, 0, sent.stderr)
  t.match(JSON.parse(sent.stdout), { reply: { count: 2 } })
  const fromB = await mielin(['agent', 'send', 'probe', '{"op":"count"}', '--wait', '--data-dir', dir('b')])
  t.equal(fromB.stdout.trim(), '{"count":3,"violations":0,"self":"probe"}')
  const list = JSON.parse((await mielin(['agent', 'list', '--data-dir', dir('b'), '--json'])).stdout) as { agents: Array<{ id: string, nodeName: string }> }
  t.match(list, { agents: [{ id: 'probe', nodeName: 'c' }], unreachable: [] }, 'agent list covers the cluster')
  const nowhere = await mielin(['agent', 'deploy', probe.file, '--name', 'p2', '--require', 'gpu', '--data-dir', dir('a')])
  t.equal(nowhere.exitCode, 4)
  t.match(nowhere.stderr, /No node fits[\s\S]*a \(.*\): a GPU is needed[\s\S]*Code: E_NO_NODE_FITS/)
  const unknown = await mielin(['agent', 'send', 'nobody', '{}', '--wait', '--data-dir', dir('a')])
  t.equal(unknown.exitCode, 3)
  t.match(unknown.stderr, /Code: E_AGENT_NOT_FOUND/)
})

t.test('agent logs from A shows the lines of the agent on C; --follow prints new ones as they come', async (t) => {
  const past = await mielin(['agent', 'logs', 'probe', '--data-dir', dir('a'), '--json'])
  t.equal(past.exitCode, 0, past.stderr)
  t.match(JSON.parse(past.stdout), [{ agent: 'probe', message: /started on worker/ }])
  const follow = execa(process.execPath, ['bin/run.js', 'agent', 'logs', 'probe', '--follow', '--data-dir', dir('a')], { cwd: ROOT, reject: false, buffer: false, env: { NO_COLOR: '1' } })
  t.teardown(() => { follow.kill('SIGKILL') })
  let out = ''
  follow.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  await until('the lines so far', () => out.includes('started on worker'), 20_000, 50)
  const sent = await mielin(['agent', 'send', 'probe', '{"op":"log","text":"hello from c"}', '--wait', '--data-dir', dir('b')])
  t.equal(sent.exitCode, 0, sent.stderr)
  // the line is streamed from C as it is logged there: it arrives at once, nothing is polled
  await until('the new line', () => out.includes('info  hello from c'), 5_000, 50)
  follow.kill('SIGINT')
  t.equal((await follow).exitCode, 0, 'Ctrl-C ends a follow normally')
})

t.test('operators from afar need a valid token', async (t) => {
  const adminKey = await loadAdminKey(dir('a'))
  const remote = `127.0.0.1:${nodes.get('a')?.port ?? 0}`
  const good = await issueToken({ adminKey, subject: 'test', rights: ['send', 'read'], namespaces: ['default'], ttlSeconds: 600 })
  const asOperator = async (token: string): Promise<{ exitCode: number, stdout: string, stderr: string }> =>
    await mielin(['agent', 'send', 'probe', '{"op":"count","n":0}', '--wait', '--remote', remote, '--token', token, '--data-dir', dir('b')])
  const ok = await asOperator(good)
  t.equal(ok.exitCode, 0, ok.stderr)
  t.match(ok.stdout, /"count":3/)
  const [head, claims, sig] = good.split('.')
  const forged = `${head}.${claims}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`
  const f = await asOperator(forged)
  t.equal(f.exitCode, 5)
  t.match(f.stderr, /Code: E_TOKEN_(FORGED|MALFORMED)/)
  const expired = await issueToken({ adminKey, subject: 'test', rights: ['send'], namespaces: ['default'], ttlSeconds: 60, now: Date.now() / 1000 - 3600 })
  const e = await asOperator(expired)
  t.equal(e.exitCode, 5)
  t.match(e.stderr, /expired[\s\S]*Code: E_TOKEN_EXPIRED/)
  const readOnly = await issueToken({ adminKey, subject: 'test', rights: ['read'], namespaces: ['default'], ttlSeconds: 600 })
  const s = await asOperator(readOnly)
  t.equal(s.exitCode, 5)
  t.match(s.stderr, /Code: E_TOKEN_SCOPE/)

  // a stream from afar: A asks C for the agent's lines and streams them back to the operator
  const follow = execa(process.execPath, ['bin/run.js', 'agent', 'logs', 'probe', '--follow', '--remote', remote, '--token', readOnly, '--data-dir', dir('b')], { cwd: ROOT, reject: false, buffer: false, env: { NO_COLOR: '1' } })
  t.teardown(() => { follow.kill('SIGKILL') })
  let out = ''
  let err = ''
  follow.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  follow.stderr?.on('data', (d: Buffer) => { err += d.toString() })
  await until(() => `the lines so far, from afar; it printed:\n${out}\n${err}`, () => out.includes('hello from c'), 30_000, 50)
  t.equal((await asOperator(good)).exitCode, 0)
  const said = await mielin(['agent', 'send', 'probe', '{"op":"log","text":"news for the operator"}', '--wait', '--remote', remote, '--token', good, '--data-dir', dir('b')])
  t.equal(said.exitCode, 0, said.stderr)
  await until('the new line, from afar', () => out.includes('info  news for the operator'), 10_000, 50)
  follow.kill('SIGINT')
  t.equal((await follow).exitCode, 0, 'Ctrl-C ends a remote follow normally')
  const denied = await mielin(['agent', 'logs', 'probe', '--follow', '--remote', remote, '--token', forged, '--data-dir', dir('b')])
  t.equal(denied.exitCode, 5, 'a stream checks its token as a call does')
  t.match(denied.stderr, /Code: E_TOKEN_(FORGED|MALFORMED)/)
})

t.test('a node without the cluster secret cannot connect', async (t) => {
  t.equal((await mielin(['mesh', 'init', '--data-dir', dir('d')])).exitCode, 0) // another cluster
  await start('d')
  const r = await mielin(['mesh', 'join', `127.0.0.1:${nodes.get('a')?.port ?? 0}`, '--data-dir', dir('d')])
  t.not(r.exitCode, 0)
  t.match(r.stderr, /Code: E_(NODE_UNREACHABLE|PEER_REFUSED)/)
  t.same((await peersOf('a')).map((p) => p.name).sort(), ['a', 'b', 'c'], 'the cluster did not let it in')
  nodes.get('d')?.child.kill('SIGINT')
})

t.test('when C is killed, the others mark it dead within seconds', async (t) => {
  const c = nodes.get('c')
  c?.child.kill('SIGKILL')
  const killed = Date.now()
  for (const n of ['a', 'b']) await until(`${n} to mark c dead`, () => /dead: c /.test(nodes.get(n)?.stderr ?? ''), 15_000, 100)
  const took = Date.now() - killed
  t.ok(took < 10_000, `both marked c dead after ${took} ms`)
  t.match((await peersOf('a')).find((p) => p.name === 'c'), { state: 'dead' })
  // c's agent is unavailable, known from c's last beat; the list says c did not answer, and fails
  const listed = await mielin(['agent', 'list', '--data-dir', dir('b'), '--json'])
  t.equal(listed.exitCode, 4, listed.stderr)
  t.match(JSON.parse(listed.stdout), {
    agents: [],
    unavailable: [{ id: 'probe', nodeName: 'c', why: { code: 'E_NODE_DEAD', message: /^node c died: no heartbeat for \d+ s$/ } }],
    unreachable: [{ nodeName: 'c', error: { code: 'E_NODE_DEAD' } }],
    error: { code: 'E_NODES_UNREACHABLE' }
  })
  const human = await mielin(['agent', 'list', '--data-dir', dir('b')])
  t.equal(human.exitCode, 4)
  t.match(human.stdout, /probe +unavailable: node c died: no heartbeat for \d+ s +c/)
  t.match(human.stderr, /did not answer[\s\S]*\n {2}c \(.*\): node c died[\s\S]*Code: E_NODES_UNREACHABLE[\s\S]*Try this: mielin mesh peers/)
  const sent = await mielin(['agent', 'send', 'probe', '{"op":"count"}', '--wait', '--data-dir', dir('b')])
  t.equal(sent.exitCode, 4)
  t.match(sent.stderr, /Error: Agent "probe" is unavailable: node c died[\s\S]*Code: E_NODE_DEAD[\s\S]*Try this: Start that node again/)
  const a = nodes.get('a')
  a?.child.kill('SIGINT')
  const exit = await a?.child
  t.equal(exit?.exitCode, 0, 'Ctrl-C stops a node cleanly')
  await until('b to see a leave', () => /left: a /.test(nodes.get('b')?.stderr ?? ''), 10_000, 100)
})
