// The protocols a node serves, against a hand-made libp2p node and in-memory streams: what is
// registered when, behind the admission gate, and what a caller sees when a protocol goes away.
import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection, StreamHandler } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import { z } from 'zod'
import type { Logger } from '../../../src/runtime/logger.js'
import type { MeshLibp2p } from '../../../src/runtime/mesh/libp2p.js'
import { meshProtocol, ProtocolRegistry } from '../../../src/runtime/mesh/protocol-registry.js'
import { Channel } from '../../../src/runtime/mesh/wire/index.js'

const quiet: Logger = Object.assign(() => {}, { error: () => {}, enabled: false })
const conn = { remotePeer: peerIdFromPrivateKey(await generateKeyPair('Ed25519')) } as unknown as Connection
const ECHO = '/mielin/echo/1.0.0'
const CHAT = '/mielin/chat/1.0.0'
const Echo = z.object({ text: z.string().max(100) })

interface Registered { handler: StreamHandler, options: { maxInboundStreams?: number } }

/** A node that records registrations; its gate marks the handlers it wrapped. */
function fakeNode (): MeshLibp2p & { handlers: Map<string, Registered>, gated: Set<StreamHandler> } {
  const handlers = new Map<string, Registered>()
  const gated = new Set<StreamHandler>()
  return {
    handlers,
    gated,
    handle: async (protocol: string, handler: StreamHandler, options: Registered['options']) => { handlers.set(protocol, { handler, options }) },
    unhandle: async (protocol: string) => { handlers.delete(protocol) },
    services: { admission: { gate: (h: StreamHandler) => { gated.add(h); return h } } }
  } as unknown as MeshLibp2p & { handlers: Map<string, Registered>, gated: Set<StreamHandler> }
}

/** A request to what `node` serves on `protocol`, over an in-memory stream. */
async function ask (node: ReturnType<typeof fakeNode>, protocol: string, frame: object): Promise<unknown> {
  const [out, inb] = await streamPair()
  const served = node.handlers.get(protocol)
  if (served === undefined) throw new Error(`${protocol} is not registered`)
  void served.handler(inb, conn)
  return await new Channel({ protocol, peer: 'server' }, { stream: out, connection: conn }).request(frame)
}

t.test('protocol names', async (t) => {
  t.equal(meshProtocol('echo'), ECHO)
  t.equal(meshProtocol('agent/logs', '2.1.0'), '/mielin/agent/logs/2.1.0')
  t.throws(() => meshProtocol('Echo'), { code: 'E_INVALID_ARG', message: /lower case/ })
  const registry = new ProtocolRegistry({ logger: quiet })
  await t.rejects(registry.handle('/other/echo/1.0.0', Echo, () => ({})), { code: 'E_INVALID_ARG' })
  await t.rejects(registry.handleChannel('/mielin/chat', Echo, () => {}), { code: 'E_INVALID_ARG' })
})

t.test('handlers added before start are served from start, behind the admission gate', async (t) => {
  const registry = new ProtocolRegistry({ logger: quiet })
  await registry.handle(ECHO, Echo, (req) => ({ text: req.text.toUpperCase() }))
  await registry.handleChannel(CHAT, Echo, () => {}, { maxInboundStreams: 4 })
  const node = fakeNode()
  await registry.start(node, new AbortController().signal)
  t.same([...node.handlers.keys()], [ECHO, CHAT])
  t.equal(node.handlers.get(ECHO)?.options.maxInboundStreams, 256, 'handle: room for a stream a request')
  t.equal(node.handlers.get(CHAT)?.options.maxInboundStreams, 4, 'as asked')
  for (const { handler } of node.handlers.values()) t.ok(node.gated.has(handler), 'gated')
  t.same(await ask(node, ECHO, { text: 'hi' }), { text: 'HI' })
  await t.rejects(ask(node, ECHO, { text: 7 }), { code: 'E_STREAM_CLOSED' }, 'a request of the wrong shape resets its stream')
})

t.test('a handler added while running is served at once, and again after a restart', async (t) => {
  const registry = new ProtocolRegistry({ logger: quiet })
  const first = fakeNode()
  await registry.start(first, new AbortController().signal)
  await registry.handle(ECHO, Echo, (req) => ({ text: req.text }))
  t.same(await ask(first, ECHO, { text: 'now' }), { text: 'now' })
  registry.stop()
  const second = fakeNode()
  await registry.start(second, new AbortController().signal)
  t.same(await ask(second, ECHO, { text: 'again' }), { text: 'again' })
})

t.test('unhandle: the protocol leaves the node, and a stream already routed to it is refused', async (t) => {
  const registry = new ProtocolRegistry({ logger: quiet })
  const node = fakeNode()
  await registry.start(node, new AbortController().signal)
  await registry.handle(ECHO, Echo, (req) => ({ text: req.text }))
  const routed = node.handlers.get(ECHO) as Registered
  await registry.unhandle(ECHO)
  t.notOk(node.handlers.has(ECHO))
  const [out, inb] = await streamPair()
  void routed.handler(inb, conn)
  await t.rejects(new Channel({ protocol: ECHO, peer: 'server' }, { stream: out, connection: conn }).request({ text: 'late' }), { code: 'E_STREAM_CLOSED' })
  t.match(inb.status, /reset|aborted|closed/, 'the late stream is reset, not left open')
})

t.test('channels: inbound ones use the latest handler, and stopping ends them', async (t) => {
  const registry = new ProtocolRegistry({ logger: quiet }, { requestTimeoutMs: 1000 })
  const node = fakeNode()
  await registry.start(node, new AbortController().signal)
  await registry.handleChannel(CHAT, Echo, (f) => ({ text: `1:${f.text}` }))
  const [out, inb] = await streamPair()
  void (node.handlers.get(CHAT) as Registered).handler(inb, conn)
  const client = new Channel({ protocol: CHAT, peer: 'server', handler: () => undefined }, { stream: out, connection: conn })
  t.same(await client.request({ text: 'a' }), { text: '1:a' })
  await registry.handleChannel(CHAT, Echo, (f) => ({ text: `2:${f.text}` }))
  t.same(await client.request({ text: 'b' }), { text: '2:b' }, 'the open channel answers with the new handler')
  t.equal(registry.channelHandler(CHAT)?.schema, Echo, 'outbound channels find it too')

  registry.stop()
  await t.rejects(client.request({ text: 'c' }), { code: 'E_STREAM_CLOSED' }, 'the peer sees its channel end')
})
