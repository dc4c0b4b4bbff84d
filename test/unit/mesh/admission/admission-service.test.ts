// The admission service on hand-made connections between two nodes (in-memory streams, no
// libp2p): who is admitted, what a refused peer's connection suffers, and the gate on handlers.
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection, Libp2pEvents, PeerId, Stream, StreamHandler, TypedEventTarget } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import { Admission, RefusedPeers } from '../../../../src/runtime/mesh/admission/index.js'

const quiet = Object.assign(() => {}, { error: () => {}, enabled: false })

interface Node { peerId: PeerId, admission: Admission, refused: RefusedPeers, handlers: Map<string, StreamHandler>, events: EventTarget }

async function node (clusterKey: Uint8Array, timeoutMs = 2000): Promise<Node> {
  const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const handlers = new Map<string, StreamHandler>()
  const events = new EventTarget()
  const refused = new RefusedPeers(30_000)
  const registrar = {
    handle: async (protocol: string, handler: StreamHandler) => { handlers.set(protocol, handler) },
    unhandle: async (protocol: string) => { handlers.delete(protocol) }
  }
  const admission = new Admission({ peerId, events: events as TypedEventTarget<Libp2pEvents>, registrar }, { clusterKey, timeoutMs, refused, logger: quiet })
  await admission.start()
  t.teardown(async () => { await admission.stop() })
  return { peerId, admission, refused, handlers, events }
}

let connections = 0

/** Connects `from` to `to` as libp2p would: one connection object per side, streams between them. */
function connect (from: Node, to: Node): { out: Connection, inb: Connection } {
  const n = ++connections
  const side = (self: Node, peer: Node, direction: 'inbound' | 'outbound', id: string): Connection & { aborted?: Error } => ({
    id,
    status: 'open',
    direction,
    remotePeer: peer.peerId,
    remoteAddr: { toString: () => '/ip4/127.0.0.1/tcp/4001' },
    newStream: async (protocol: string) => {
      const [mine, theirs] = await streamPair()
      const handler = peer.handlers.get(protocol)
      if (handler === undefined) throw Object.assign(new Error(`${protocol} not served`), { name: 'UnsupportedProtocolError' })
      void handler(theirs, other(id))
      return mine
    },
    abort: (err: Error) => {
      // closing one side closes the connection for both, as a socket would
      for (const [c, n] of [[out, from], [inb, to]] as const) {
        if (c.status !== 'open') continue
        c.status = 'closed'
        n.events.dispatchEvent(new CustomEvent('connection:close', { detail: c }))
      }
      out.aborted ??= err
      inb.aborted ??= err
    }
  }) as unknown as Connection & { aborted?: Error }
  const out = side(from, to, 'outbound', `out-${n}`)
  const inb = side(to, from, 'inbound', `in-${n}`)
  const other = (id: string): Connection => id === out.id ? inb : out
  // libp2p announces a connection on each side; the dialling side starts the handshake
  to.events.dispatchEvent(new CustomEvent('connection:open', { detail: inb }))
  from.events.dispatchEvent(new CustomEvent('connection:open', { detail: out }))
  return { out, inb }
}

t.test('members admit each other; listeners hear it once', async (t) => {
  const key = randomBytes(32)
  const a = await node(key)
  const b = await node(key)
  const heard: string[] = []
  a.admission.onAdmitted((c) => { heard.push(`a:${c.direction}`) })
  b.admission.onAdmitted((c) => { heard.push(`b:${c.direction}`) })
  const { out, inb } = connect(a, b)
  t.equal(a.admission.state(out), 'pending', 'pending until proven')
  t.equal(await a.admission.waitAdmitted(out), true)
  t.equal(await b.admission.waitAdmitted(inb), true)
  t.ok(a.admission.isAdmitted(out) && b.admission.isAdmitted(inb))
  t.same(heard.sort(), ['a:outbound', 'b:inbound'])
  t.equal(a.refused.size + b.refused.size, 0)
})

t.test('an outsider is refused: its connection closes and its peer id is refused for a while', async (t) => {
  const member = await node(randomBytes(32))
  const outsider = await node(randomBytes(32))
  // the dialling side checks the first proof: the member dials, and finds the outsider out
  const { out, inb } = connect(member, outsider)
  t.equal(await member.admission.waitAdmitted(out), false)
  t.equal(await outsider.admission.waitAdmitted(inb), false, 'neither side admits the other')
  t.equal(member.admission.state(out), 'refused')
  t.equal(out.status, 'closed')
  t.ok(member.refused.has(outsider.peerId), 'the member refuses the outsider at the gater')
  t.match((out as Connection & { aborted?: Error }).aborted, { code: 'E_PEER_REFUSED', message: /was refused: its proof of the cluster key is wrong/ })
})

t.test('a peer that never proves anything is refused at the deadline', async (t) => {
  const key = randomBytes(32)
  const member = await node(key, 100)
  const silent = await node(key)
  await silent.admission.stop() // connected, but speaks no admission
  const { inb } = connect(silent, member)
  t.equal(await member.admission.waitAdmitted(inb), false)
  t.equal(inb.status, 'closed', 'the connection is closed')
  t.match((inb as Connection & { aborted?: Error }).aborted, { code: 'E_PEER_REFUSED', message: /no proof of the cluster key within 100 ms/ })
  t.ok(member.refused.has(silent.peerId))
})

t.test('the gate: handlers see admitted connections only', async (t) => {
  const key = randomBytes(32)
  const a = await node(key)
  const b = await node(key)
  const outsider = await node(randomBytes(32))
  const served: string[] = []
  const gated = b.admission.gate((_stream, conn) => { served.push(conn.remotePeer.toString()) })
  const stream = (): Stream => ({ status: 'open', abort: () => { served.push('aborted') } }) as unknown as Stream

  const member = connect(a, b)
  await gated(stream(), member.inb) // waits for the handshake, then serves
  const bad = connect(outsider, b)
  await gated(stream(), bad.inb)
  t.same(served, [a.peerId.toString(), 'aborted'], 'the outsider\'s stream is refused, not served')
})

t.test('a connection that closes while pending is not admitted', async (t) => {
  const key = randomBytes(32)
  const a = await node(key)
  const b = await node(key)
  const { out } = connect(a, b)
  const waiting = a.admission.waitAdmitted(out)
  a.events.dispatchEvent(new CustomEvent('connection:close', { detail: out }))
  t.equal(await waiting, false)
})
