// What a user reads when a dial or a request fails: each libp2p failure becomes a MielinError
// with a stable code and a "Try this" line that names what to check.
import t from 'tap'
import { ConnectionClosedError, UnsupportedProtocolError } from '@libp2p/interface'
import { AbortedError, type MielinError } from '../../../src/runtime/errors.js'
import { dialError, notAdmittedError, streamError, UNREACHABLE_HINTS, type StreamAttempt } from '../../../src/runtime/mesh/error-mapping.js'
import { RemoteError } from '../../../src/runtime/mesh/errors.js'

const PEER = '12D3KooWPeerIdOfTheOtherNode'
const PROTOCOL = '/mielin/echo/1.0.0'

/** libp2p's connection gater refusal; libp2p does not export the class, mesh code matches its name. */
function dialDenied (): Error {
  return Object.assign(new Error('The dial request was blocked by the gater'), { name: 'DialDeniedError' })
}

function attempt (fired: { user?: boolean, stopped?: boolean, timeout?: boolean } = {}): StreamAttempt {
  const signal = (aborted?: boolean): AbortSignal => aborted === true ? AbortSignal.abort() : new AbortController().signal
  return { peer: PEER, protocol: PROTOCOL, timeoutMs: 50, timeout: signal(fired.timeout), stopped: signal(fired.stopped), user: signal(fired.user) }
}

t.test('a failed dial', async (t) => {
  const refused = dialError(dialDenied(), '10.0.0.5:4001')
  t.equal(refused.code, 'E_PEER_REFUSED', 'a peer the gater refuses')
  t.match(refused.message, /10\.0\.0\.5:4001 failed the cluster check recently/)
  t.match(refused.suggestions, [/mielin mesh join TOKEN/])

  const down = dialError(new Error('connect ECONNREFUSED 10.0.0.5:4001'), '10.0.0.5:4001')
  t.equal(down.code, 'E_NODE_UNREACHABLE', 'nothing listening')
  t.match(down.message, 'Cannot reach 10.0.0.5:4001: connect ECONNREFUSED')
  t.same(down.suggestions, UNREACHABLE_HINTS, 'says to check the node, then the cluster key')
  t.match(down.suggestions[0], /mielin mesh start/)

  const aborted = dialError(dialDenied(), '10.0.0.5:4001', AbortSignal.abort())
  t.equal(aborted.code, 'E_ABORTED', 'the caller giving up is not the peer refusing')
})

t.test('a dial that connected but failed the cluster check', async (t) => {
  const err = notAdmittedError('10.0.0.5:4001', PEER)
  t.equal(err.code, 'E_PEER_REFUSED')
  t.match(err.message, `10.0.0.5:4001 (${PEER}) connected but the cluster check failed`)
  t.match(err.suggestions, [/same cluster \(mielin mesh join TOKEN\)/])
})

t.test('a failed request: the libp2p error of each kind', async (t) => {
  const unsupported = streamError(new UnsupportedProtocolError('protocol selection failed'), attempt())
  t.match(unsupported, { code: 'E_PROTOCOL_UNSUPPORTED', message: `${PEER} does not serve ${PROTOCOL}.`, suggestions: [/same mielin version/] })

  t.match(streamError(dialDenied(), attempt()), { code: 'E_PEER_REFUSED', message: new RegExp(`^${PEER} failed the cluster check`) })

  const closed = streamError(new ConnectionClosedError('the connection closed'), attempt())
  t.match(closed, { code: 'E_NODE_UNREACHABLE', message: `Cannot reach ${PEER} for ${PROTOCOL}: the connection closed` })
  t.same((closed as MielinError).suggestions, UNREACHABLE_HINTS)

  t.match(streamError('not even an Error', attempt()), { code: 'E_NODE_UNREACHABLE', message: /not even an Error/ }, 'a thrown non-error still reads')
})

t.test('a failed request: who ended it', async (t) => {
  const cause = new Error('aborted')
  const timedOut = streamError(cause, attempt({ timeout: true }))
  t.match(timedOut, { code: 'E_MESH_TIMEOUT', message: `${PEER} did not answer ${PROTOCOL} within 50 ms.`, cause })
  t.match((timedOut as MielinError).suggestions, [/mielin mesh status/])

  t.match(streamError(cause, attempt({ stopped: true, timeout: true })), { code: 'E_MESH_STOPPED' }, 'stopping beats the timeout it causes')
  t.match(streamError(cause, attempt({ user: true, stopped: true, timeout: true })), { code: 'E_ABORTED' }, 'the caller beats everything')
  const own = new AbortedError('Aborted by the user.')
  t.equal(streamError(own, attempt({ user: true })), own, 'an abort error is kept as it is')
})

t.test('an error that already explains itself is kept', async (t) => {
  const remote = new RemoteError(PEER, { code: 'E_AGENT_NOT_FOUND', message: 'No agent "a".', suggestions: ['mielin agent list'] })
  t.equal(streamError(remote, attempt()), remote, 'the remote code reaches the caller')
})
