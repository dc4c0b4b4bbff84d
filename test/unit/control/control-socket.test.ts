// The local control socket as the CLI uses it: the RPC protocol over a Unix socket (the cases
// every transport shares are in test/integration/rpc-transports.test.ts), what only a
// socket has (bytes that push back, frames from a client that is not mielin), and a socket
// file only its owner can use, that one node at a time serves.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { lstat, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { MielinError } from '../../../src/runtime/errors.js'
import { ControlClient, ControlServer, controlSocketPath, MAX_CONTROL_FRAME_BYTES, type ControlServerInit } from '../../../src/runtime/control/index.js'
import { Channel, encodeFrame, FrameDecoder, decodeJson, serveMethods, socketDuplex, type ByteDuplex } from '../../../src/runtime/rpc/index.js'
import { until } from '../../helpers/until.js'

const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-ctl-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))
let n = 0
const dataDir = (): string => path.join(tmp, `n${++n}`)
const quiet = Object.assign(() => {}, { error: () => {}, enabled: false })

const abortOf = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => { signal.addEventListener('abort', () => { resolve() }, { once: true }) })

async function server (t: Test, init: Partial<ControlServerInit> = {}, dir = dataDir()): Promise<{ server: ControlServer, socketPath: string }> {
  const s = new ControlServer({ socketPath: controlSocketPath(dir), logger: quiet, ...init })
  await s.start()
  t.teardown(() => s.stop())
  return { server: s, socketPath: s.socketPath }
}

async function client (t: Test, socketPath: string): Promise<ControlClient> {
  const c = await ControlClient.connect(socketPath)
  t.teardown(() => c.close())
  return c
}

/** A raw connection, to send what ControlClient never would. */
async function raw (t: Test, socketPath: string): Promise<net.Socket> {
  const socket = net.createConnection(socketPath)
  await once(socket, 'connect')
  t.teardown(() => { socket.destroy() })
  return socket
}

t.test('calls and streams share one connection; a bug says what it was on the owner\'s socket', async (t) => {
  const { socketPath } = await server(t, {
    handlers: { add: ({ a, b }: { a: number, b: number }) => a + b, bug: () => { throw new TypeError('x is undefined') } },
    streams: { async * count ({ to }: { to: number }) { for (let i = 1; i <= to; i++) yield i } }
  })
  const c = await client(t, socketPath)
  const [sum, events] = await Promise.all([
    c.call('add', { a: 2, b: 3 }),
    (async () => { const all: number[] = []; for await (const e of c.stream<number>('count', { to: 300 })) all.push(e); return all })()
  ])
  t.equal(sum, 5)
  t.equal(events.length, 300)
  const err = await c.call('bug').catch((e: unknown) => e)
  t.ok(err instanceof MielinError)
  t.match(err, { code: 'E_INTERNAL', exitCode: 70, message: 'Internal error in the node while handling "bug": x is undefined', suggestions: [/bug in mielin/] })
})

t.test('back-pressure through the socket: a client that stops reading stops the producer, and loses nothing', async (t) => {
  const socketPath = path.join(tmp, 'back-pressure.sock')
  let produced = 0
  let waitedForDrain = false
  const handler = serveMethods({
    streams: { async * big () { for (let i = 0; i < 5000; i++) { produced++; yield { i, pad: 'x'.repeat(1000) } } } }
  })
  const srv = net.createServer((socket) => {
    const duplex = socketDuplex(socket, 'test')
    // the server's writes wait here when the socket's buffers are full
    const spied: ByteDuplex = Object.assign(Object.create(duplex) as ByteDuplex, {
      onDrain: async () => { waitedForDrain = true; await duplex.onDrain() }
    })
    const ch = new Channel({ protocol: 'control', peer: 'test', handler: () => handler }, { stream: spied })
    t.teardown(() => ch.abort())
  })
  await new Promise<void>((resolve) => srv.listen(socketPath, resolve))
  t.teardown(() => { srv.close() })

  // a client that grants all the credit in the world, then does not read
  const socket = await raw(t, socketPath)
  socket.pause()
  socket.write(encodeFrame({ k: 'q', id: 1, b: { method: 'big' }, w: 1_000_000 }))
  await until('the server to wait for the socket to drain', () => waitedForDrain)
  const held = produced
  t.ok(held < 5000, `the producer stopped at ${held} of 5000 events (about ${held} KB held in buffers)`)

  const decoder = new FrameDecoder(MAX_CONTROL_FRAME_BYTES)
  const got: number[] = []
  let ended = false
  socket.on('data', (chunk: Buffer) => {
    for (const body of decoder.push(chunk)) {
      const f = decodeJson(body) as { k: string, b?: { i: number } }
      if (f.k === 'v') got.push((f.b as { i: number }).i)
      if (f.k === 'd') ended = true
    }
  })
  socket.resume()
  await until(`every event, then the end (${got.length} so far)`, () => ended, 20_000)
  t.same(got, Array.from({ length: 5000 }, (_, i) => i), 'in order, none lost')
})

t.test('a malformed frame closes that connection only; the server stays up', async (t) => {
  const { socketPath } = await server(t, { handlers: { ping: () => 'pong' } })
  const other = await client(t, socketPath)
  for (const garbage of [
    Buffer.from('{"id":1,"method":"ping"}\n'), // a line of the old protocol: its "{" reads as a 123-byte length
    Buffer.concat([Buffer.from([9]), Buffer.from('not json!')]),
    encodeFrame({ k: 'zz', id: 1 }),
    encodeFrame({ k: 'q', id: 1, b: { method: 42 } })
  ]) {
    const r = await raw(t, socketPath)
    const closed = once(r, 'close')
    r.write(garbage)
    if (garbage[0] === 0x7b) r.end() // the old line is shorter than the length it announces: the end shows it
    await closed
  }
  t.equal(await other.call('ping'), 'pong', 'other connections carry on')
  const fresh = await client(t, socketPath)
  t.equal(await fresh.call('ping'), 'pong', 'and new ones are served')
})

t.test('a frame over 8 MiB closes that connection before its body is read', async (t) => {
  const { socketPath } = await server(t, { handlers: { ping: () => 'pong' } })
  const other = await client(t, socketPath)
  const r = await raw(t, socketPath)
  const closed = once(r, 'close')
  // the length prefix alone announces 8 MiB + 1: the body never needs to come
  r.write(encodeFrame({ p: 'x'.repeat(MAX_CONTROL_FRAME_BYTES) }, MAX_CONTROL_FRAME_BYTES + 64).subarray(0, 4))
  await closed
  t.equal(await other.call('ping'), 'pong', 'other connections carry on')
  await t.rejects(other.call('echo', { p: 'x'.repeat(MAX_CONTROL_FRAME_BYTES) }), { code: 'E_BAD_FRAME', message: /over the 8388608-byte limit/ }, 'the client does not send one either')
  t.equal(await other.call('ping'), 'pong')
})

t.test('the socket file is owner-only (0600), and removed on stop', async (t) => {
  const dir = dataDir()
  const s = new ControlServer({ socketPath: controlSocketPath(dir), logger: quiet })
  await s.start()
  t.equal(s.status, 'started')
  const st = await lstat(controlSocketPath(dir))
  t.ok(st.isSocket())
  t.equal(st.mode & 0o777, 0o600)
  t.equal((await stat(dir)).mode & 0o777, 0o700, 'a data dir it creates is owner-only too')
  await s.stop()
  t.equal(s.status, 'stopped')
  await t.rejects(lstat(controlSocketPath(dir)), { code: 'ENOENT' })
})

t.test('a second node on the same data dir: E_NODE_RUNNING, the first keeps serving', async (t) => {
  const { socketPath } = await server(t, { handlers: { ping: () => 'pong' } })
  const second = new ControlServer({ socketPath, logger: quiet })
  await t.rejects(second.start(), { code: 'E_NODE_RUNNING', message: /already running/, suggestions: [/stop it/, /--data-dir/] })
  t.equal(second.status, 'stopped')
  const c = await client(t, socketPath)
  t.equal(await c.call('ping'), 'pong')
})

t.test('no node: E_NODE_NOT_RUNNING (exit 4) says how to start one', async (t) => {
  const dir = dataDir()
  await t.rejects(ControlClient.connect(controlSocketPath(dir)), {
    code: 'E_NODE_NOT_RUNNING',
    exitCode: 4,
    message: `No mielin node is running with data dir ${dir}.`,
    suggestions: [`Start one with \`mielin mesh start --bind 127.0.0.1:9000 --data-dir ${dir}\``]
  })
})

t.test('the socket of a node that died is replaced', async (t) => {
  const dir = dataDir()
  const socketPath = controlSocketPath(dir)
  // A node killed with SIGKILL leaves its socket file behind, with nobody listening.
  const child = spawn(process.execPath, ['-e', `
    const fs = require('node:fs'); fs.mkdirSync(${JSON.stringify(dir)}, { recursive: true })
    require('node:net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))
  `], { stdio: 'ignore' })
  await once(child, 'exit')
  t.ok((await lstat(socketPath)).isSocket(), 'a stale socket file is there')
  await t.rejects(ControlClient.connect(socketPath), { code: 'E_NODE_NOT_RUNNING' })

  const { server: s } = await server(t, { handlers: { ping: () => 'pong' } }, dir)
  t.equal(s.status, 'started')
  const c = await client(t, socketPath)
  t.equal(await c.call('ping'), 'pong')
})

t.test('a file that is not a socket is never deleted', async (t) => {
  const dir = dataDir()
  const s = new ControlServer({ socketPath: controlSocketPath(dir), logger: quiet })
  await s.start()
  await s.stop()
  await writeFile(controlSocketPath(dir), 'notes')
  await t.rejects(s.start(), { code: 'E_CONTROL_SOCKET_PATH', message: /not a socket/ })
})

t.test('stopping the node fails pending calls with E_CONTROL_CLOSED and aborts their handlers', async (t) => {
  let seen: Promise<void> | undefined
  const dir = dataDir()
  const s = new ControlServer({
    socketPath: controlSocketPath(dir),
    logger: quiet,
    handlers: { slow: async (_p: unknown, { signal }: { signal: AbortSignal }) => { seen = abortOf(signal); await new Promise(() => {}) } }
  })
  await s.start()
  const c = await ControlClient.connect(controlSocketPath(dir))
  const call = c.call('slow')
  await until('the handler to start', () => seen !== undefined)
  const rejected = t.rejects(call, { code: 'E_CONTROL_CLOSED', exitCode: 4, message: /closed the connection/ })
  await s.stop()
  await rejected
  await seen
  await t.rejects(c.call('slow'), { code: 'E_CONTROL_CLOSED' })
})
