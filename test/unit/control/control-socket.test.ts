// The local control socket as the CLI uses it: calls, errors that keep their code, streams
// that can be cancelled, and a socket only its owner can use.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { lstat, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { AbortedError, MielinError } from '../../../src/runtime/errors.js'
import {
  ControlClient, ControlServer, controlSocketPath, MAX_LINE_BYTES, type ControlServerInit
} from '../../../src/runtime/control/index.js'
import { LineSplitter } from '../../../src/runtime/control/protocol.js'
import { TokenScopeError } from '../../../src/runtime/mesh/auth/index.js'

const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-ctl-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))
let n = 0
const dataDir = (): string => path.join(tmp, `n${++n}`)
const quiet = Object.assign(() => {}, { error: () => {}, enabled: false })

/** Resolves with the promise, or fails the test after `ms` instead of hanging. */
async function within<T> (p: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms) })
  try {
    return await Promise.race([p, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Resolves when the signal aborts. */
const abortOf = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))

async function server (t: Test, init: Partial<ControlServerInit> = {}, dir = dataDir()): Promise<{ server: ControlServer, socketPath: string, dir: string }> {
  const s = new ControlServer({ socketPath: controlSocketPath(dir), logger: quiet, ...init })
  await s.start()
  t.teardown(() => s.stop())
  return { server: s, socketPath: s.socketPath, dir }
}

async function client (t: Test, socketPath: string): Promise<ControlClient> {
  const c = await ControlClient.connect(socketPath)
  t.teardown(() => c.close())
  return c
}

/** A raw connection that speaks lines, to send what ControlClient never would. */
async function raw (t: Test, socketPath: string): Promise<{ socket: net.Socket, send: (line: string) => void, next: () => Promise<unknown> }> {
  const socket = net.createConnection(socketPath)
  await once(socket, 'connect')
  t.teardown(() => { socket.destroy() })
  const splitter = new LineSplitter()
  const lines: unknown[] = []
  let wake: (() => void) | undefined
  socket.on('data', (chunk: Buffer) => {
    lines.push(...splitter.push(chunk).lines.map((l): unknown => JSON.parse(l)))
    wake?.()
  })
  const next = async (): Promise<unknown> => {
    while (lines.length === 0) await within(new Promise<void>((resolve) => { wake = resolve }), 'a reply line')
    return lines.shift()
  }
  return { socket, send: (line) => socket.write(line + '\n'), next }
}

t.test('call: params in, result out; undefined becomes null', async (t) => {
  const { socketPath } = await server(t, {
    handlers: { add: ({ a, b }: { a: number, b: number }) => a + b, nothing: async () => undefined, echo: (p: unknown) => p }
  })
  const c = await client(t, socketPath)
  t.equal(await c.call('add', { a: 2, b: 3 }), 5)
  t.equal(await c.call('nothing'), null)
  t.same(await c.call('echo'), {}, 'params default to {}')
  const many = await Promise.all(Array.from({ length: 50 }, async (_, i) => await c.call<number>('add', { a: i, b: 1 })))
  t.same(many, Array.from({ length: 50 }, (_, i) => i + 1), 'concurrent calls on one connection each get their own reply')
})

t.test('a MielinError crosses the socket with its code, message, suggestions and exit code', async (t) => {
  const { socketPath } = await server(t, {
    handlers: {
      deploy: () => { throw new TokenScopeError('This token does not grant "deploy".', undefined, { suggestions: ['mielin token issue --rights deploy'] }) },
      bug: () => { throw new TypeError('x is undefined') }
    }
  })
  const c = await client(t, socketPath)
  const err = await c.call('deploy').catch((e: unknown) => e)
  t.ok(err instanceof MielinError)
  t.match(err, { code: 'E_TOKEN_SCOPE', exitCode: 5, message: 'This token does not grant "deploy".', suggestions: ['mielin token issue --rights deploy'] })
  await t.rejects(c.call('bug'), { code: 'E_INTERNAL', exitCode: 70, message: /"bug": x is undefined/, suggestions: [/bug in mielin/] })
  await t.rejects(c.call('nope'), { code: 'E_UNKNOWN_METHOD', exitCode: 2, message: /Methods: bug, deploy\./ })
  t.equal(await c.call('deploy').catch(() => 'still connected'), 'still connected')
})

t.test('a malformed line gets an error and the connection stays usable', async (t) => {
  const { socketPath } = await server(t, { handlers: { ping: () => 'pong' } })
  const r = await raw(t, socketPath)
  r.send('this is not json')
  t.match(await r.next(), { id: null, error: { code: 'E_CONTROL_PROTOCOL', exitCode: 3, message: /not JSON/, suggestions: [/"method"/] } })
  r.send('{"method":"ping"}')
  t.match(await r.next(), { id: null, error: { code: 'E_CONTROL_PROTOCOL', message: /"id"/ } })
  r.send('{"id":7}')
  t.match(await r.next(), { id: 7, error: { code: 'E_CONTROL_PROTOCOL', message: /"method"/ } })
  r.send('{"id":8,"method":"ping"}')
  t.same(await r.next(), { id: 8, result: 'pong' })
})

t.test('a line over 8 MiB closes that connection only', async (t) => {
  const { socketPath } = await server(t, { handlers: { ping: () => 'pong' } })
  const other = await client(t, socketPath)
  const r = await raw(t, socketPath)
  const closed = once(r.socket, 'close')
  r.socket.write(`{"id":1,"method":"ping","params":"${'x'.repeat(MAX_LINE_BYTES)}"}\n`)
  t.match(await r.next(), { id: null, error: { code: 'E_CONTROL_PROTOCOL', message: /longer than 8388608 bytes/ } })
  await within(closed, 'the connection to close')
  t.equal(await other.call('ping'), 'pong', 'other connections carry on')
})

t.test('stream: events in order, then the end', async (t) => {
  const { socketPath } = await server(t, {
    streams: {
      async * count ({ to }: { to: number }) { for (let i = 1; i <= to; i++) yield { name: 'test:tick', i } }
    }
  })
  const c = await client(t, socketPath)
  const seen: number[] = []
  for await (const e of c.stream<{ i: number }>('count', { to: 5000 })) seen.push(e.i)
  t.equal(seen.length, 5000)
  t.ok(seen.every((v, i) => v === i + 1), 'in order, none lost (past the client high-water mark)')
  t.same(await within((async () => { const all = []; for await (const e of c.stream('count', { to: 0 })) all.push(e); return all })(), 'an empty stream'), [])
  await t.rejects(c.call('count', { to: 3 }), { code: 'E_CONTROL_PROTOCOL', message: /use stream\(\)/ }, 'call() on a stream says so')
})

t.test('stream errors arrive as MielinErrors', async (t) => {
  const { socketPath } = await server(t, {
    streams: { async * broken () { yield 1; throw new TokenScopeError('no read') } }
  })
  const c = await client(t, socketPath)
  const seen: unknown[] = []
  await t.rejects((async () => { for await (const e of c.stream('broken')) seen.push(e) })(), { code: 'E_TOKEN_SCOPE', exitCode: 5 })
  t.same(seen, [1])
})

t.test('stream cancel: breaking out, or aborting, stops it on the node', async (t) => {
  const cancels: Array<Promise<void>> = []
  const { socketPath } = await server(t, {
    streams: {
      async * forever (_params: unknown, { signal }: { signal: AbortSignal }) {
        cancels.push(abortOf(signal))
        for (let i = 0; !signal.aborted; i++) {
          yield i
          await new Promise((resolve) => setImmediate(resolve))
        }
      },
      // An event source that never yields again and ignores its signal must not pin the request.
      async * stuck () {
        yield 'once'
        await new Promise(() => {})
      }
    },
    handlers: { ping: () => 'pong' }
  })
  const c = await client(t, socketPath)

  const first: number[] = []
  for await (const e of c.stream<number>('forever')) {
    first.push(e)
    if (first.length === 3) break
  }
  t.same(first, [0, 1, 2])
  await within(cancels[0], 'the node to cancel the stream after break')

  const ac = new AbortController()
  const second: number[] = []
  await t.rejects((async () => {
    for await (const e of c.stream<number>('forever', {}, { signal: ac.signal })) {
      second.push(e)
      if (second.length === 2) ac.abort()
    }
  })(), AbortedError)
  t.same(second, [0, 1])
  await within(cancels[1], 'the node to cancel the stream after abort')

  for await (const e of c.stream('stuck')) {
    t.equal(e, 'once')
    break
  }
  t.equal(await c.call('ping'), 'pong', 'the connection is still usable')
})

t.test('a cancelled or aborted call aborts the handler', async (t) => {
  let seen: Promise<void> | undefined
  const { socketPath } = await server(t, {
    handlers: { slow: async (_p: unknown, { signal }: { signal: AbortSignal }) => { seen = abortOf(signal); await new Promise(() => {}) } }
  })
  const c = await client(t, socketPath)
  const ac = new AbortController()
  const call = c.call('slow', {}, { signal: ac.signal })
  while (seen === undefined) await new Promise((resolve) => setImmediate(resolve))
  const rejected = t.rejects(call, { code: 'E_ABORTED', exitCode: 130 })
  ac.abort()
  await rejected
  await within(seen, 'the handler signal to abort')
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
  await within(once(child, 'exit'), 'the child to die')
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
  while (seen === undefined) await new Promise((resolve) => setImmediate(resolve))
  const rejected = t.rejects(call, { code: 'E_CONTROL_CLOSED', exitCode: 4 })
  await s.stop()
  await rejected
  await within(seen, 'the handler to be aborted')
  await t.rejects(c.call('slow'), { code: 'E_CONTROL_CLOSED' })
})
