// The dialer against a hand-made libp2p node: which connection a stream gets, what a failed
// dial says, and how a join address is retried until it answers or the mesh stops.
import '../../helpers/esm-js-hook.js'
import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection, PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../../../src/runtime/logger.js'
import type { AdmissionState, MeshLibp2p } from '../../../src/runtime/mesh/index.js'

// after the hook: the dialer loads libp2p (see esm-js-hook.ts)
const { Dialer, toPeerId } = await import('../../../src/runtime/mesh/dialer.js')

const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
let ids = 0

function conn (state: AdmissionState, addr = '/ip4/127.0.0.1/tcp/4001'): Connection {
  return { id: `c${++ids}`, status: 'open', remotePeer: peer, remoteAddr: multiaddr(addr), direction: 'outbound', state } as unknown as Connection
}

/** A node whose connections carry their admission state; `dial` is the test's. */
function fakeNode (existing: Connection[], dial: (target: unknown, options: { signal: AbortSignal }) => Promise<Connection>): MeshLibp2p & { dials: unknown[] } {
  const dials: unknown[] = []
  const stateOf = (c: Connection): AdmissionState => (c as unknown as { state: AdmissionState }).state
  return {
    dials,
    getConnections: (p?: PeerId) => existing.filter((c) => p === undefined || c.remotePeer.equals(p)),
    dial: async (target: unknown, options: { signal: AbortSignal }) => { dials.push(target); return await dial(target, options) },
    services: {
      admission: {
        isAdmitted: (c: Connection) => stateOf(c) === 'admitted',
        state: stateOf,
        // a pending connection here is one the remote admits a moment later
        waitAdmitted: async (c: Connection) => {
          if (stateOf(c) === 'pending') await new Promise((resolve) => setImmediate(resolve))
          return stateOf(c) !== 'refused'
        }
      }
    }
  } as unknown as MeshLibp2p & { dials: unknown[] }
}

function recordingLogger (): Logger & { lines: string[], errors: string[] } {
  const lines: string[] = []
  const errors: string[] = []
  return Object.assign((m: string) => { lines.push(m) }, { error: (m: string) => { errors.push(m) }, enabled: true, lines, errors })
}

const never = new AbortController().signal
const refusedConnect = async (): Promise<Connection> => { throw new Error('connect ECONNREFUSED 127.0.0.1:4001') }

t.test('a stream uses an admitted connection, else one being admitted, else a new dial', async (t) => {
  const admitted = conn('admitted')
  const reuse = fakeNode([conn('refused'), admitted], refusedConnect)
  t.equal(await new Dialer({ node: reuse, stopSignal: never, logger: recordingLogger() }).connection(peer, never), admitted)
  t.equal(reuse.dials.length, 0, 'no dial when a connection is ready')

  const pending = conn('pending')
  const wait = fakeNode([pending], refusedConnect)
  t.equal(await new Dialer({ node: wait, stopSignal: never, logger: recordingLogger() }).connection(peer, never), pending)
  t.equal(wait.dials.length, 0, 'a connection being admitted is waited for, not doubled')

  const fresh = conn('admitted')
  const dialled = fakeNode([], async () => fresh)
  t.equal(await new Dialer({ node: dialled, stopSignal: never, logger: recordingLogger() }).connection(peer, never), fresh)
  t.same(dialled.dials, [peer])

  const outsider = fakeNode([], async () => conn('refused'))
  await t.rejects(new Dialer({ node: outsider, stopSignal: never, logger: recordingLogger() }).connection(peer, never), { code: 'E_PEER_REFUSED' })
})

t.test('dial: HOST:PORT is dialled over TCP and answers the admitted peer', async (t) => {
  const node = fakeNode([], async () => conn('admitted'))
  const dialer = new Dialer({ node, stopSignal: never, logger: recordingLogger() })
  t.ok((await dialer.dial('127.0.0.1:4001')).equals(peer))
  t.equal(String(node.dials[0]), '/ip4/127.0.0.1/tcp/4001')
  await t.rejects(dialer.dial('127.0.0.1:4001', { signal: AbortSignal.abort() }), { code: 'E_ABORTED' })
})

t.test('dial: what a user reads when it fails', async (t) => {
  const down = new Dialer({ node: fakeNode([], refusedConnect), stopSignal: never, logger: recordingLogger() })
  await t.rejects(down.dial('127.0.0.1:4001'), { code: 'E_NODE_UNREACHABLE', message: /Cannot reach 127\.0\.0\.1:4001: connect ECONNREFUSED/ })

  const denied = async (): Promise<Connection> => { throw Object.assign(new Error('blocked by the gater'), { name: 'DialDeniedError' }) }
  const gated = new Dialer({ node: fakeNode([], denied), stopSignal: never, logger: recordingLogger() })
  await t.rejects(gated.dial('127.0.0.1:4001'), { code: 'E_PEER_REFUSED', message: /failed the cluster check recently/ })

  const outsider = new Dialer({ node: fakeNode([], async () => conn('refused')), stopSignal: never, logger: recordingLogger() })
  await t.rejects(outsider.dial('127.0.0.1:4001'), { code: 'E_PEER_REFUSED', message: /connected but the cluster check failed/ })

  await t.rejects(down.dial('no-port-here'), { code: 'E_INVALID_ARG' }, 'neither HOST:PORT, a multiaddr nor a peer id')
})

t.test('joining retries, waiting twice as long each time, until the node answers', async (t) => {
  let attempts = 0
  const node = fakeNode([], async () => {
    if (++attempts < 3) return await refusedConnect()
    return conn('admitted')
  })
  const log = recordingLogger()
  await new Dialer({ node, stopSignal: never, logger: log }, { joinRetryMs: 5 }).keepJoining('127.0.0.1:4001')
  t.equal(attempts, 3)
  t.match(log.lines, [/cannot join 127\.0\.0\.1:4001 yet: .*ECONNREFUSED.*retrying in 5 ms/, /retrying in 10 ms/, /^joined 127\.0\.0\.1:4001/])
  t.same(log.errors, [], 'a node not up yet is routine')
})

t.test('joining ends when the mesh stops, or at once for an address that cannot work', async (t) => {
  const stop = new AbortController()
  let attempts = 0
  const node = fakeNode([], async () => { attempts++; return await refusedConnect() })
  const log = recordingLogger()
  // the mesh stops while the join waits a minute before its next attempt
  const waiting = Object.assign((m: string) => { log(m); if (/retrying in/.test(m)) stop.abort() }, { error: log.error, enabled: true })
  const started = Date.now()
  await new Dialer({ node, stopSignal: stop.signal, logger: waiting }, { joinRetryMs: 60_000 }).keepJoining('127.0.0.1:4001')
  t.ok(Date.now() - started < 5000, 'the stop cuts the wait short')
  t.equal(attempts, 1, 'no attempt after the stop')
  t.same(log.errors, [], 'stopping is routine')

  const bad = recordingLogger()
  const idle = fakeNode([], refusedConnect)
  await new Dialer({ node: idle, stopSignal: never, logger: bad }).keepJoining('no-port-here')
  t.equal(idle.dials.length, 0)
  t.match(bad.errors, [/cannot join no-port-here/], 'a malformed address is an error the operator sees')
})

t.test('toPeerId', async (t) => {
  t.ok(toPeerId(peer.toString()).equals(peer))
  t.equal(toPeerId(peer), peer)
  t.throws(() => toPeerId('12D3-not-a-peer'), { code: 'E_INVALID_ARG', message: /is not a peer id/ })
})
