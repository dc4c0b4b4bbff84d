// What a libp2p service (the DHT) sees through gateComponents: its handlers and topology
// callbacks only for admitted connections, its outgoing streams only once admitted.
import t from 'tap'
import type { Connection, Stream, StreamHandler, Topology } from '@libp2p/interface'
import { gateComponents, type Admission } from '../../../../src/runtime/mesh/admission/index.js'
import { until } from '../../../helpers/until.js'

/** An admission whose verdict per connection id the test decides. */
function admission (verdicts: Record<string, boolean>): Admission {
  return {
    waitAdmitted: async (conn: Connection) => verdicts[conn.id] ?? false,
    gate: (handler: StreamHandler): StreamHandler => async (stream, conn) => {
      if (verdicts[conn.id] === true) await handler(stream, conn)
      else stream.abort(new Error('refused'))
    }
  } as unknown as Admission
}

const member = { id: 'member', remotePeer: { toString: () => 'member-peer' }, newStream: async (p: string) => ({ protocol: p }) } as unknown as Connection
const outsider = { id: 'outsider', remotePeer: { toString: () => 'outsider-peer' }, newStream: async () => { throw new Error('must not open') } } as unknown as Connection

function components (): { registrar: { handled: Map<string, StreamHandler>, topologies: Topology[], handle: (protocol: string, handler: StreamHandler) => Promise<void>, register: (protocol: string, topology: Topology) => Promise<string>, getProtocols: () => string[] }, connectionManager: { openConnection: (peer: string) => Promise<Connection>, getConnections: () => Connection[] }, peerId: string } {
  const handled = new Map<string, StreamHandler>()
  const topologies: Topology[] = []
  return {
    peerId: 'me',
    registrar: {
      handled,
      topologies,
      handle: async function (this: unknown, protocol: string, handler: StreamHandler) { handled.set(protocol, handler) },
      register: async (_protocol: string, topology: Topology) => { topologies.push(topology); return 'id' },
      getProtocols: function (this: { handled: Map<string, StreamHandler> }) { return [...this.handled.keys()] }
    },
    connectionManager: {
      openConnection: async (peer: string) => peer === 'member-peer' ? member : outsider,
      getConnections: () => [member, outsider]
    }
  }
}

const verdicts = { member: true, outsider: false }

t.test('stream handlers are gated', async (t) => {
  const c = components()
  const view = gateComponents(c, () => admission(verdicts))
  const seen: string[] = []
  await view.registrar.handle('/mielin/kad/1.0.0', (_s: Stream, conn: Connection) => { seen.push(conn.id) })
  const handler = c.registrar.handled.get('/mielin/kad/1.0.0') as StreamHandler
  const aborted: string[] = []
  const stream = (id: string): Stream => ({ abort: () => { aborted.push(id) } }) as unknown as Stream
  await handler(stream('m'), member)
  await handler(stream('o'), outsider)
  t.same(seen, ['member'])
  t.same(aborted, ['o'])
  t.same(view.registrar.getProtocols(), ['/mielin/kad/1.0.0'], 'other registrar methods still work, with their own this')
})

t.test('topology: onConnect only for admitted connections, onDisconnect always', async (t) => {
  const c = components()
  const view = gateComponents(c, () => admission(verdicts))
  const events: string[] = []
  await view.registrar.register('/mielin/kad/1.0.0', {
    onConnect: (_peer, conn) => { events.push(`connect ${conn.id}`) },
    onDisconnect: (peer) => { events.push(`disconnect ${peer.toString()}`) }
  })
  const [topology] = c.registrar.topologies
  if (topology === undefined) throw new Error('no topology registered')
  void topology.onConnect?.(outsider.remotePeer, outsider)
  void topology.onConnect?.(member.remotePeer, member)
  await until('the member to reach the topology', () => events.length > 0)
  void topology.onDisconnect?.(outsider.remotePeer)
  t.same(events, ['connect member', 'disconnect outsider-peer'])
})

t.test('outgoing streams wait for admission', async (t) => {
  const c = components()
  const view = gateComponents(c, () => admission(verdicts))
  const cm = view.connectionManager as unknown as { openStream: (peer: string, protocol: string) => Promise<{ protocol: string }>, getConnections: () => Connection[] }
  t.same(await cm.openStream('member-peer', '/mielin/kad/1.0.0'), { protocol: '/mielin/kad/1.0.0' })
  await t.rejects(cm.openStream('outsider-peer', '/mielin/kad/1.0.0'), { code: 'E_PEER_REFUSED', message: 'outsider-peer has not proven the cluster key.' })
  t.equal(cm.getConnections().length, 2, 'the rest of the connection manager is untouched')
  t.equal(view.peerId, 'me', 'other components pass through')
})

t.test('the admission service is looked up lazily', async (t) => {
  const built: { service?: Admission } = {}
  const view = gateComponents(components(), () => { if (built.service === undefined) throw new Error('not built yet'); return built.service })
  t.ok(view.registrar, 'making the view does not need the service')
  built.service = admission(verdicts)
  const cm = view.connectionManager as unknown as { openStream: (peer: string, protocol: string) => Promise<unknown> }
  t.ok(await cm.openStream('member-peer', '/p'))
})
