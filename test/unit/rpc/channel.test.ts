// The channel over in-memory stream pairs (no libp2p node): what the mesh's protocols rely on.
import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection, Stream } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import { z } from 'zod'
import { MielinError } from '../../../src/runtime/errors.js'
import { Channel, encodeFrame, jsonObject, type ChannelHandlerEntry } from '../../../src/runtime/rpc/index.js'
import { until } from '../../helpers/until.js'

const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
const conn = { remotePeer: peer } as unknown as Connection
const Add = z.object({ a: z.int(), b: z.int() })

class Nope extends MielinError { static override readonly defaultCode: string = 'E_NOPE' }

const adder: ChannelHandlerEntry = {
  schema: Add,
  handler: async (f) => {
    const { a, b } = f as { a: number, b: number }
    if (a < 0) throw new Nope('negative')
    if (a === 999) throw new Error('a bug')
    if (b === 7) await new Promise((resolve) => setTimeout(resolve, 50))
    return { sum: a + b }
  }
}

async function pair (serverHandler: ChannelHandlerEntry | undefined, clientHandler?: ChannelHandlerEntry, maxConcurrent?: number): Promise<{ client: Channel, server: Channel, streams: [Stream, Stream] }> {
  const [out, inb] = await streamPair()
  const server = new Channel({ protocol: '/mielin/test/1.0.0', peer: 'client', handler: () => serverHandler, maxConcurrent }, { stream: inb, connection: conn })
  const client = new Channel({ protocol: '/mielin/test/1.0.0', peer: 'server', handler: () => clientHandler, requestTimeoutMs: 1000 }, { stream: out, connection: conn })
  return { client, server, streams: [out, inb] }
}

t.test('requests are answered by id, concurrently, errors keep their code', async (t) => {
  const { client } = await pair(adder)
  t.same(await client.request({ a: 1, b: 2 }), { sum: 3 })
  const settled: number[] = []
  const asked = [{ a: 1, b: 7 }, { a: 2, b: 2 }, { a: 3, b: 3 }].map(async (f, i) => { const r = await client.request(f); settled.push(i); return r })
  t.same(await Promise.all(asked), [{ sum: 8 }, { sum: 4 }, { sum: 6 }], 'each answer reaches its own request')
  t.same(settled, [1, 2, 0], 'the slow first answer does not block the others: it arrives last')
  await t.rejects(client.request({ a: -1, b: 0 }), { code: 'E_NOPE', message: 'negative', peer: 'server' })
  await t.rejects(client.request({ a: 999, b: 0 }), { code: 'E_INTERNAL', exitCode: 70, message: /the node's log has the details/ }, 'a bug stays private')
  await t.rejects(client.request({ a: 1, b: 2 }, { schema: z.object({ product: z.int() }) }), { code: 'E_BAD_FRAME' }, 'a wrong answer shape is a bad frame')
})

t.test('both directions and notifications share the stream', async (t) => {
  const seen: unknown[] = []
  const { client, server } = await pair(
    { schema: jsonObject(), handler: (f, ctx) => { seen.push([ctx.kind, f]) } },
    { schema: Add, handler: (f) => ({ back: (f as { a: number }).a }) }
  )
  await client.notify({ hello: 1 })
  t.same(await server.request({ a: 5, b: 0 }), { back: 5 }, 'the server side asks the client')
  await client.request({ x: 1 })
  t.same(seen, [['notify', { hello: 1 }], ['request', { x: 1 }]])
})

t.test('a request without a handler, a timeout, an abort', async (t) => {
  const { client, server } = await pair(undefined)
  await t.rejects(client.request({ a: 1 }), { code: 'E_PROTOCOL_UNSUPPORTED' })
  await t.rejects(server.request({ a: 1 }, { timeoutMs: 50 }), { code: 'E_PROTOCOL_UNSUPPORTED' })
  const slow = await pair({ schema: jsonObject(), handler: async () => await new Promise((resolve) => setTimeout(resolve, 300)) })
  await t.rejects(slow.client.request({}, { timeoutMs: 50 }), { code: 'E_REQUEST_TIMEOUT' })
  await t.rejects(slow.client.request({}, { signal: AbortSignal.timeout(20) }), { code: 'E_ABORTED' })
})

t.test('a bad frame resets that stream only: in-flight requests fail, and the channel says so', async (t) => {
  const { client, streams } = await pair({ schema: Add, handler: async () => await new Promise((resolve) => setTimeout(() => resolve({}), 200)) })
  const inFlight = client.request({ a: 1, b: 1 })
  streams[1].send(encodeFrame({ k: 'zz' })) // the server side sends garbage to the client
  await t.rejects(inFlight, { code: 'E_STREAM_CLOSED' })
  t.equal(client.open, false)
  await t.rejects(client.request({ a: 1, b: 1 }), { code: 'E_STREAM_CLOSED' }, 'an inbound channel does not re-open')

  const wrongShape = await pair(adder)
  const p = wrongShape.client.request({ a: 'one', b: 1 })
  await t.rejects(p, { code: 'E_STREAM_CLOSED' }, 'a request of the wrong shape resets the stream')
})

t.test('an outbound channel re-opens its stream after it died', async (t) => {
  let opened = 0
  const client = new Channel({
    protocol: '/mielin/test/1.0.0',
    peer: 'server',
    open: async () => {
      opened++
      const [out, inb] = await streamPair()
      new Channel({ protocol: '/mielin/test/1.0.0', peer: 'client', handler: () => adder }, { stream: inb, connection: conn })
      return { stream: out, connection: conn }
    }
  })
  t.same(await client.request({ a: 1, b: 1 }), { sum: 2 })
  client.abort()
  t.same(await client.request({ a: 2, b: 2 }), { sum: 4 })
  t.equal(opened, 2)
  await client.close()
  await t.rejects(client.request({ a: 1, b: 1 }), { code: 'E_STREAM_CLOSED' }, 'closed means closed')
})

t.test('back-pressure: at most maxConcurrent handlers run, the stream pauses, and every request is answered', async (t) => {
  const LIMIT = 8
  const TOTAL = 32
  let running = 0
  let started = 0
  let peak = 0
  const blocked: Array<() => void> = [] // each running handler waits here until the test lets it go
  const { client, streams: [out, inb] } = await pair({
    schema: jsonObject(),
    handler: async () => {
      started++
      peak = Math.max(peak, ++running)
      await new Promise<void>((resolve) => { blocked.push(resolve) })
      running--
      return {}
    }
  }, undefined, LIMIT)
  // Bytes the client sent, and bytes that reached the server (handed over, or held while paused):
  // once they match, every request is at the server and only back-pressure keeps one from running.
  let sent = 0
  let handedOver = 0
  const send = out.send.bind(out)
  out.send = (data) => { sent += data.byteLength; return send(data) }
  inb.addEventListener('message', (evt) => { handedOver += evt.data.byteLength })
  const allArrived = (): boolean => sent > 0 && client.backlog === 0 && handedOver + inb.readBufferLength === sent

  const answers = Promise.all(Array.from({ length: TOTAL }, async () => await client.request({ pad: 'x'.repeat(2000) }, { timeoutMs: 10_000 })))
  for (let wave = 1; wave <= TOTAL / LIMIT; wave++) {
    await until(() => `wave ${wave}: ${LIMIT} handlers running with every request at the server (running ${running}, started ${started})`,
      () => started >= wave * LIMIT && running >= LIMIT && allArrived(), 5000)
    t.equal(started, wave * LIMIT, `wave ${wave}: no handler beyond ${LIMIT} started while ${LIMIT} block`)
    t.equal(inb.readStatus, 'paused', `wave ${wave}: the server stopped reading`)
    for (const release of blocked.splice(0)) release()
  }
  t.equal((await answers).length, TOTAL, 'every request was answered')
  t.equal(started, TOTAL)
  t.equal(peak, LIMIT, `exactly ${LIMIT} handlers at the busiest`)
})
