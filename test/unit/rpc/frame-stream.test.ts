// FrameStream over in-memory stream pairs: what the length-prefixed codec must keep doing
// once it sits on a real stream (split frames, the size limit, batching, back-pressure).
import t from 'tap'
import { streamPair } from '@libp2p/utils'
import { z } from 'zod'
import { FrameStream, encodeFrame } from '../../../src/runtime/mesh/wire/index.js'
import { until } from '../../helpers/until.js'

const Msg = z.object({ n: z.int() })

t.test('frames cut anywhere across sends arrive whole and in order', async (t) => {
  const [a, b] = await streamPair()
  const reader = new FrameStream(b)
  const bytes = Buffer.concat([1, 2, 3].map((n) => encodeFrame({ n, pad: 'x'.repeat(150 * n) })))
  for (const cut of [1, 3, 200, 201, 500]) {
    a.send(bytes.subarray(0, cut))
    a.send(bytes.subarray(cut))
    for (const n of [1, 2, 3]) t.same(await reader.read(Msg), { n }, `frame ${n}, cut at ${cut}`)
  }
})

t.test('a frame over maxFrameBytes resets that stream only, with a BadFrameError', async (t) => {
  const [a, b] = await streamPair()
  const [c, d] = await streamPair()
  const small = new FrameStream(b, { maxFrameBytes: 100 })
  const other = new FrameStream(d, { maxFrameBytes: 100 })
  const ended = new Promise<Error>((resolve) => { small.onEnd(resolve) })
  // only the prefix goes: the limit is checked before the body is waited for
  a.send(encodeFrame({ s: 'x'.repeat(200) }).subarray(0, 2))
  await t.rejects(small.read(Msg), { code: 'E_BAD_FRAME', message: /over the 100-byte limit/ })
  t.match(await ended, { code: 'E_BAD_FRAME' })
  await until('the stream to be reset', () => b.status !== 'open')
  c.send(encodeFrame({ n: 7 }))
  t.same(await other.read(Msg), { n: 7 }, 'a stream next to it still works')
  await t.rejects(other.write({ s: 'x'.repeat(200) }), { code: 'E_BAD_FRAME' }, 'we do not send one either')
})

t.test('frames written in one tick leave in one send', async (t) => {
  const [a, b] = await streamPair()
  const writer = new FrameStream(a)
  const reader = new FrameStream(b)
  let sends = 0
  const send = a.send.bind(a)
  a.send = (data) => { sends++; return send(data) }
  await Promise.all([1, 2, 3, 4].map(async (n) => { await writer.write({ n }) }))
  for (const n of [1, 2, 3, 4]) t.same(await reader.read(Msg), { n })
  t.equal(sends, 1)
})

t.test('pause holds frames back until resume, in order', async (t) => {
  const [a, b] = await streamPair()
  const writer = new FrameStream(a)
  const reader = new FrameStream(b)
  const seen: unknown[] = []
  reader.onFrame((v) => { seen.push(v) })
  await writer.write({ n: 1 })
  await until('the first frame', () => seen.length === 1)
  reader.pause()
  t.equal(b.readStatus, 'paused', 'the stream stops reading')
  await writer.write({ n: 2 })
  await writer.write({ n: 3 })
  await until('the writes to reach the paused side', () => b.readBufferLength > 0 || seen.length > 1)
  t.same(seen, [{ n: 1 }], 'nothing delivered while paused')
  reader.resume()
  await until('the held frames', () => seen.length === 3)
  t.same(seen, [{ n: 1 }, { n: 2 }, { n: 3 }])
})
