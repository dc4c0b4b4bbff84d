// What a user reads when a node cannot listen: one error with its own code, the address that
// is taken and who holds it, and a --bind that works; never libp2p's stacks or its config advice.
import '../../helpers/esm-js-hook.js'
import { randomBytes } from 'node:crypto'
import net from 'node:net'
import { generateKeyPair } from '@libp2p/crypto/keys'
import t from 'tap'
import { MielinError } from '../../../src/runtime/errors.js'
import { listenError, parseListenFailures, startError } from '../../../src/runtime/mesh/listen-error.js'

// after the hook: libp2p's TLS needs it (see esm-js-hook.ts)
const { Mesh } = await import('../../../src/runtime/mesh/index.js')

// libp2p 2.x's message, as `mesh start` printed it with a mielin node on 127.0.0.1:39503
const BOTH_TAKEN = `Some configured addresses failed to be listened on, you may need to remove one or more listen addresses from your configuration or set \`transportManager.faultTolerance\` to NO_FATAL:

  /ip4/127.0.0.1/tcp/39503: Error: listen EADDRINUSE: address already in use 127.0.0.1:39503
      at Server.setupListenHandle [as _listen2] (node:net:1941:16)
      at listenInCluster (node:net:1998:12)

  /ip4/127.0.0.1/udp/39503/quic-v1: Error: Address already in use (os error 98)
      at QuicListener.listen (file:///work/main/node_modules/@chainsafe/libp2p-quic/dist/src/listener.js:72:26)
      at DefaultTransportManager.listen (file:///work/main/node_modules/libp2p/dist/src/transport-manager.js:205:37)
`
/** libp2p's message for one failed address. */
const failed = (addr: string, error: string): string =>
  `Some configured addresses failed to be listened on, you may need to remove one or more listen addresses from your configuration or set \`transportManager.faultTolerance\` to NO_FATAL:\n\n  ${addr}: Error: ${error}\n      at QuicListener.listen (file:///x.js:1:1)\n`

const MIELIN_HOLDER = { pid: 4242, uid: 1000, cwd: '/home/ada/mielin', argv: ['/usr/bin/node', '/home/ada/mielin/bin/run.js', 'mesh', 'start', '--bind', '127.0.0.1:39503', '--data-dir', './a'] }

t.test('each failed address is read from libp2p\'s message, with its transport and why', async (t) => {
  t.same(parseListenFailures(BOTH_TAKEN), [
    { addr: '/ip4/127.0.0.1/tcp/39503', host: '127.0.0.1', port: 39503, protocol: 'tcp', problem: 'in-use', reason: 'listen EADDRINUSE: address already in use 127.0.0.1:39503' },
    { addr: '/ip4/127.0.0.1/udp/39503/quic-v1', host: '127.0.0.1', port: 39503, protocol: 'udp', problem: 'in-use', reason: 'Address already in use (os error 98)' }
  ])
  t.match(parseListenFailures(failed('/ip4/10.9.9.9/tcp/9000', 'listen EADDRNOTAVAIL: address not available 10.9.9.9:9000')), [{ problem: 'not-available' }])
  t.match(parseListenFailures(failed('/ip4/0.0.0.0/udp/80/quic-v1', 'Permission denied (os error 13)')), [{ problem: 'denied', protocol: 'udp' }])
  t.match(parseListenFailures(failed('/ip6/::1/tcp/9000', 'something new')), [{ host: '::1', problem: 'other' }])
  t.same(parseListenFailures('The mesh stopped.'), [], 'not a listen failure')
})

t.test('a port a mielin node holds: E_PORT_IN_USE, its PID, its data dir to stop it, --bind :0', async (t) => {
  const err = listenError(parseListenFailures(BOTH_TAKEN), MIELIN_HOLDER)
  t.equal(err.code, 'E_PORT_IN_USE')
  t.equal(err.exitCode, 4)
  t.equal(err.message, 'Cannot listen on 127.0.0.1:39503: the port is already in use (TCP and UDP) by PID 4242 (/usr/bin/node /home/ada/mielin/bin/run.js mesh start --bind 127.0.0.1:39503 --data-dir ./a).')
  t.same(err.suggestions, [
    'Let the system pick free ports: --bind 127.0.0.1:0 (the node prints the addresses it got)',
    'It is a mielin node: use it (mielin mesh status --data-dir /home/ada/mielin/a), or stop it (mielin mesh leave --data-dir /home/ada/mielin/a)',
    'Or choose another port: --bind 127.0.0.1:PORT'
  ])
  const text = [err.message, ...err.suggestions].join('\n')
  t.notMatch(text, /faultTolerance|--port|\n\s+at /, 'no libp2p advice, no flag that does not exist, no stack')
})

t.test('other holders: a process of ours by PID, another user\'s by uid, an unknown one with how to look', async (t) => {
  const quic = parseListenFailures(failed('/ip4/127.0.0.1/udp/9001/quic-v1', 'Address already in use (os error 98)'))
  const ours = listenError(quic, { pid: 77, uid: 1000, argv: ['python3', '-m', 'http.server'] })
  t.match(ours.message, 'in use (UDP, for QUIC) by PID 77 (python3 -m http.server)')
  t.ok(ours.suggestions.includes('Or free the port: stop that process (kill 77)'))
  t.match(listenError(quic, { uid: 0 }).message, 'by a process of user id 0.')
  const unknown = listenError(quic, undefined)
  t.match(unknown.message, 'by another process.')
  t.ok(unknown.suggestions.some((s) => s.includes("ss -ltnup 'sport = :9001'") && s.includes('lsof -nP -i :9001')))
})

t.test('an address not of this machine, a privileged port, anything else: E_LISTEN_FAILED with a --bind to try', async (t) => {
  const away = listenError(parseListenFailures(failed('/ip4/10.9.9.9/tcp/9000', 'listen EADDRNOTAVAIL: address not available 10.9.9.9:9000')), undefined)
  t.match(away, { code: 'E_LISTEN_FAILED', message: 'Cannot listen on 10.9.9.9:9000: 10.9.9.9 is not an address of this machine.' })
  t.equal(away.suggestions[0], 'Listen on every interface: --bind 0.0.0.0:9000')
  const low = listenError(parseListenFailures(failed('/ip4/0.0.0.0/tcp/80', 'listen EACCES: permission denied 0.0.0.0:80')), undefined)
  t.match(low, { code: 'E_LISTEN_FAILED', message: /permission denied \(ports below 1024/ })
  t.equal(low.suggestions[0], 'Use a port from 1024 up: --bind 0.0.0.0:9000')
  const odd = listenError(parseListenFailures(failed('/ip6/::1/tcp/9000', 'something new')), undefined)
  t.match(odd, { code: 'E_LISTEN_FAILED', message: 'Cannot listen on [::1]:9000 (TCP): something new' })
})

t.test('a start failure that is not about listening: E_MESH_START, its first line only', async (t) => {
  const err = await startError(new Error('the DHT would not start\n    at somewhere (x.js:1:1)'))
  t.match(err, { code: 'E_MESH_START', message: 'The mesh could not start: the DHT would not start' })
  t.ok(err.suggestions.length > 0)
})

t.test('a real mesh on a port this process holds says so, naming this process', async (t) => {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  const { port } = server.address() as net.AddressInfo
  const mesh = new Mesh({}, { privateKey: await generateKeyPair('Ed25519'), clusterKey: new Uint8Array(randomBytes(32)), host: '127.0.0.1', port, transports: ['tcp'] })
  const err = await mesh.start().then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof MielinError, String(err))
  const e = err as MielinError
  t.equal(e.code, 'E_PORT_IN_USE')
  t.equal(mesh.status, 'stopped')
  const onLinux = process.platform === 'linux'
  t.match(e.message, onLinux ? `Cannot listen on 127.0.0.1:${port}: the port is already in use (TCP) by PID ${process.pid} (` : `Cannot listen on 127.0.0.1:${port}: the port is already in use (TCP)`)
  t.ok(e.suggestions.includes('Let the system pick free ports: --bind 127.0.0.1:0 (the node prints the addresses it got)'))
  if (onLinux) t.ok(e.suggestions.includes(`Or free the port: stop that process (kill ${process.pid})`))
})
