// What operators and scripts get, tried as they would: two nodes started with
// `mesh start --json --bind 127.0.0.1:0` (a script learns the ports from the `started` line and
// follows membership from the stream), an operator machine that only joined the cluster
// deploying a 12 MB agent, listing and stopping from afar with tokens as `mielin token issue`
// makes them, and `mesh peers` showing each node's own process load.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { execa, type ResultPromise } from 'execa'
import t from 'tap'
import { buildFixtureAgent } from '../helpers/agents.js'
import { mielin, ROOT } from '../helpers/cli.js'
import { until } from '../helpers/until.js'

t.setTimeout(300_000)
const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-operator-e2e-'))
const probe = await buildFixtureAgent('probe')
const dir = (n: string): string => path.join(tmp, n)

interface Line { event?: string, name?: string, peerId?: string, addrs?: string[], state?: string, error?: { code: string } }
interface Node { child: ResultPromise, stdout: string, stderr: string, lines: Line[], exit?: number | null }
const nodes = new Map<string, Node>()

t.teardown(async () => {
  for (const [name, n] of nodes) if (n.exit !== undefined && n.exit !== 0) t.comment(`node ${name} exited ${String(n.exit)}:\n${n.stderr}`)
  for (const n of nodes.values()) n.child.kill('SIGKILL')
  await Promise.allSettled([...nodes.values()].map(async (n) => await n.child))
  await rm(tmp, { recursive: true, force: true })
})

/** `mesh start --json` on a port the system picks; resolves to its `started` line. */
async function start (name: string, join?: string): Promise<Line> {
  const args = ['bin/run.js', 'mesh', 'start', '--json', '--bind', '127.0.0.1:0', '--data-dir', dir(name), '--name', name, '--heartbeat-ms', '500', '--workers', '1']
  if (join !== undefined) args.push('--join', join)
  const child = execa(process.execPath, args, { cwd: ROOT, reject: false, buffer: false, env: { NO_COLOR: '1' } })
  const node: Node = { child, stdout: '', stderr: '', lines: [] }
  nodes.set(name, node)
  void child.then((r) => { node.exit = r.exitCode ?? null })
  child.stderr?.on('data', (d: Buffer) => { node.stderr += d.toString() })
  child.stdout?.on('data', (d: Buffer) => {
    node.stdout += d.toString()
    const complete = node.stdout.split('\n').slice(0, -1)
    // every line is JSON on its own: parsing each as it completes is what a script does
    node.lines = complete.map((l) => JSON.parse(l) as Line)
  })
  await until(() => `${name} to say it started:\n${node.stdout}\n${node.stderr}`, () => node.lines.length > 0 || node.exit !== undefined, 30_000, 50)
  return node.lines[0]
}

const tcpAddr = (line: Line): string => line.addrs?.find((a) => a.includes('/tcp/')) ?? ''
const json = <T>(r: { stdout: string }): T => JSON.parse(r.stdout) as T
const token = async (...args: string[]): Promise<string> => json<{ token: string }>(await mielin(['token', 'issue', '--data-dir', dir('a'), '--json', ...args])).token

let a: Line
let b: Line
const tokens: Record<string, string> = {}

t.test('a script starts two nodes on free ports and learns their addresses from the first line', async (t) => {
  const init = await mielin(['mesh', 'init', '--data-dir', dir('a'), '--json'])
  t.equal(init.exitCode, 0, init.stderr)
  const { joinToken } = json<{ joinToken: string }>(init)
  // b is a node; op only joins, to hold the cluster secret: an operator's machine
  for (const n of ['b', 'op']) t.equal((await mielin(['mesh', 'join', joinToken, '--data-dir', dir(n)])).exitCode, 0)
  a = await start('a')
  t.match(a, { event: 'started', name: 'a', peerId: /^12D3KooW/, time: /^\d{4}-\d\d-\d\dT/ })
  t.match(tcpAddr(a), /^\/ip4\/127\.0\.0\.1\/tcp\/[1-9]\d*\/p2p\/12D3KooW/, 'the port it picked for :0, ready to dial')
  b = await start('b', tcpAddr(a))
  await until(() => `a to print b joining:\n${nodes.get('a')?.stdout ?? ''}`, () => nodes.get('a')?.lines.some((l) => l.event === 'joined' && l.name === 'b') === true, 20_000, 50)
  t.match(nodes.get('a')?.lines.find((l) => l.event === 'joined'), { name: 'b', peerId: b.peerId, state: 'alive' })
  t.notMatch(nodes.get('a')?.stderr ?? '', /joined: b/, 'the lines for people are not printed under --json')
})

t.test('tokens with default namespaces list and inspect from afar; log lines need read', async (t) => {
  tokens.deploy = await token('--rights', 'deploy,send') // the README's example: namespace default
  tokens.read = await token('--rights', 'read')
  tokens.otherNs = await token('--rights', 'read,deploy', '--namespace', 'other')
  tokens.admin = await token('--rights', 'admin', '--namespace', '*')
  const remote = ['--remote', tcpAddr(a), '--data-dir', dir('op')]

  const deployed = await mielin(['agent', 'deploy', probe.file, '--node', 'b', ...remote, '--token', tokens.deploy, '--json'])
  t.equal(deployed.exitCode, 0, deployed.stdout + deployed.stderr)
  t.ok(probe.bytes.length > 8 << 20, `the component (${probe.bytes.length} bytes) is many control frames: it went up in chunks`)
  t.match(json(deployed), [{ agent: 'probe', nodeName: 'b', epoch: 1 }])
  const sent = await mielin(['agent', 'send', 'probe', '{"op":"count","n":5}', '--wait', ...remote, '--token', tokens.deploy])
  t.equal(sent.stdout.trim(), '{"count":5,"violations":0,"self":"probe"}', sent.stderr)

  for (const [who, tok] of [['deploy,send', tokens.deploy], ['read', tokens.read]]) {
    const listed = await mielin(['agent', 'list', ...remote, '--token', tok, '--json'])
    t.equal(listed.exitCode, 0, `a ${who} token lists: ${listed.stdout}${listed.stderr}`)
    t.match(json(listed), { agents: [{ id: 'probe', nodeName: 'b', namespace: 'default' }], unreachable: [] })
    const inspected = await mielin(['agent', 'inspect', 'probe', ...remote, '--token', tok, '--json'])
    t.equal(inspected.exitCode, 0, inspected.stderr)
  }
  const elsewhere = await mielin(['agent', 'list', ...remote, '--token', tokens.otherNs, '--json'])
  t.equal(elsewhere.exitCode, 0, elsewhere.stderr)
  t.same(json<{ agents: unknown[] }>(elsewhere).agents, [], 'a token for another namespace does not see default\'s agents')
  const denied = await mielin(['agent', 'deploy', probe.file, '--name', 'p2', ...remote, '--token', tokens.otherNs])
  t.equal(denied.exitCode, 5)
  t.match(denied.stderr, /does not grant the namespace "default"[\s\S]*Code: E_TOKEN_SCOPE[\s\S]*Try this: /)

  const logs = await mielin(['agent', 'logs', 'probe', ...remote, '--token', tokens.deploy])
  t.equal(logs.exitCode, 5)
  t.match(logs.stderr, /does not grant the right "read"[\s\S]*Code: E_TOKEN_SCOPE[\s\S]*Try this: .*mielin token issue --rights read/)
  t.equal((await mielin(['agent', 'logs', 'probe', ...remote, '--token', tokens.read])).exitCode, 0)
})

t.test('mesh status and peers from afar; each node shows its own process CPU and memory', async (t) => {
  const remote = ['--remote', tcpAddr(a), '--data-dir', dir('op'), '--token', tokens.deploy]
  const status = await mielin(['mesh', 'status', ...remote, '--json'])
  t.equal(status.exitCode, 0, status.stderr)
  t.match(json(status), { name: 'a', peerId: a.peerId, peers: { alive: 1 } })
  // b runs the agent: wait for a beat that carries it
  type Peer = { name: string, load: { agents: number, cpu: number, memory: number } }
  let peers: Peer[] = []
  await until('b\'s load to show its agent', async () => {
    peers = json<Peer[]>(await mielin(['mesh', 'peers', ...remote, '--json']))
    return peers.find((p) => p.name === 'b')?.load.agents === 1
  }, 20_000, 200)
  for (const p of peers) {
    t.ok(p.load.cpu >= 0 && p.load.cpu <= 1, `${p.name}: cpu ${p.load.cpu} is a share of its cores`)
    t.ok(p.load.memory > 20 << 20 && p.load.memory < os.totalmem(), `${p.name}: rss ${p.load.memory} is a node process's`)
  }
  t.not(peers[0].load.memory, peers[1].load.memory, 'each node says its own memory, not the machine\'s')
  const human = await mielin(['mesh', 'peers', ...remote])
  t.match(human.stdout, /CPU \(ALL CORES\)\s+RSS/)
  t.match(human.stdout, /\n {2}b\s+alive\s.*\s\d+(\.\d)?%\s+\d+ MiB\s/)
})

t.test('a node leaves from afar with an admin token; the script sees it leave, then stops', async (t) => {
  const remoteB = ['--remote', tcpAddr(b), '--data-dir', dir('op')]
  const refused = await mielin(['mesh', 'leave', ...remoteB, '--token', tokens.deploy])
  t.equal(refused.exitCode, 5)
  t.match(refused.stderr, /does not grant the right "admin" .* nor all namespaces[\s\S]*Code: E_TOKEN_SCOPE[\s\S]*Try this: .*mielin token issue --rights admin --namespace '\*'/, 'one refusal names all it lacks')
  const left = await mielin(['mesh', 'leave', ...remoteB, '--token', tokens.admin])
  t.equal(left.exitCode, 0, left.stderr)
  const nodeB = nodes.get('b')
  await until(() => `b to stop:\n${nodeB?.stdout ?? ''}`, () => nodeB?.exit !== undefined, 20_000, 50)
  t.equal(nodeB?.exit, 0)
  t.match(nodeB?.lines.at(-1), { event: 'stopped', name: 'b', peerId: b.peerId }, 'its last line')
  const nodeA = nodes.get('a')
  await until(() => `a to print b leaving:\n${nodeA?.stdout ?? ''}`, () => nodeA?.lines.some((l) => l.event === 'left' && l.name === 'b') === true, 20_000, 50)

  // left a moment ago: still listed; --all lists it too (long gone ones only with --all)
  const peers = json<Array<{ name: string, state: string }>>(await mielin(['mesh', 'peers', '--data-dir', dir('a'), '--json']))
  t.match(peers.find((p) => p.name === 'b'), { state: 'left' })
  t.equal(json<unknown[]>(await mielin(['mesh', 'peers', '--all', '--data-dir', dir('a'), '--json'])).length, 2)

  nodeA?.child.kill('SIGINT')
  await until('a to stop', () => nodeA?.exit !== undefined, 20_000, 50)
  t.equal(nodeA?.exit, 0, 'Ctrl-C stops it cleanly')
  const events = nodeA?.lines.map((l) => l.event) ?? []
  t.equal(events[0], 'started')
  t.equal(events.at(-1), 'stopped', 'the last line')
  t.ok(events.indexOf('joined') < events.indexOf('left'), `b joined, then left: ${events.join(', ')}`)
})
