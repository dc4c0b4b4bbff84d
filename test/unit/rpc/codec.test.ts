import t from 'tap'
import { Uint8ArrayList } from 'uint8arraylist'
import { FrameDecoder, decodeJson, encodeFrame, fromBase64Chunks, toBase64Chunks } from '../../../src/runtime/mesh/wire/index.js'

const bodies = (d: FrameDecoder, chunk: Uint8Array | Uint8ArrayList): unknown[] => d.push(chunk).map((b) => decodeJson(b))

t.test('frames survive any split into chunks', async (t) => {
  const frames = [{ a: 1 }, { text: 'x'.repeat(300) }, { n: [1, 2, 3] }, { big: 'y'.repeat(70_000) }]
  const bytes = Buffer.concat(frames.map((f) => encodeFrame(f)))
  for (const size of [1, 2, 3, 7, 128, 4096, bytes.byteLength]) {
    const d = new FrameDecoder()
    const out: unknown[] = []
    for (let i = 0; i < bytes.byteLength; i += size) out.push(...bodies(d, bytes.subarray(i, i + size)))
    t.same(out, frames, `chunks of ${size}`)
    t.equal(d.buffered, 0)
  }
})

t.test('a stream chunk that is a list of buffers decodes as its bytes would', async (t) => {
  const frames = [{ a: 1 }, { text: 'x'.repeat(300) }, { n: [1, 2, 3] }]
  const bytes = Buffer.concat(frames.map((f) => encodeFrame(f)))
  const d = new FrameDecoder()
  const list = new Uint8ArrayList()
  for (let i = 0; i < bytes.byteLength; i += 5) list.append(bytes.subarray(i, i + 5))
  t.same(bodies(d, list.sublist(0, 200)).concat(bodies(d, list.sublist(200))), frames)
  t.equal(d.buffered, 0)
})

t.test('the limit is checked on the length prefix, before buffering', async (t) => {
  const d = new FrameDecoder(100)
  t.throws(() => d.push(encodeFrame({ s: 'x'.repeat(200) }).subarray(0, 3)), { code: 'E_BAD_FRAME', message: /over the 100-byte limit/ })
  t.throws(() => new FrameDecoder().push(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x01])), { message: /length prefix too long|over the/ })
  t.throws(() => new FrameDecoder().push(new Uint8Array([0xff, 0xff, 0xff, 0xff])), { code: 'E_BAD_FRAME', message: /length prefix too long/ }, 'four bytes all saying "more follows"')
  t.throws(() => new FrameDecoder().push(new Uint8Array([0x80, 0x00])), { message: /malformed length prefix/ })
  t.throws(() => new FrameDecoder().push(Buffer.from([0x82, 0x80, 0x00, 0x7b, 0x7d])), { code: 'E_BAD_FRAME', message: /malformed length prefix/ }, 'a 2 written in three bytes')
  const split = new FrameDecoder()
  t.same(split.push(new Uint8Array([0x85])), [], 'a prefix cut after its first byte waits for the rest')
  t.throws(() => split.push(new Uint8Array([0x00])), { message: /malformed length prefix/ })
  t.throws(() => bodies(new FrameDecoder(), new Uint8Array([0x00])), { code: 'E_BAD_FRAME', message: /not JSON/ }, 'an empty frame is not skipped')
  t.throws(() => encodeFrame({ s: 'x'.repeat(200) }, 100), { code: 'E_BAD_FRAME', message: /over the 100-byte limit/ })
})

t.test('bodies must be UTF-8 JSON; only objects are sent', async (t) => {
  t.throws(() => decodeJson(new Uint8Array([0xff, 0xfe])), { code: 'E_BAD_FRAME', message: /UTF-8/ })
  t.throws(() => decodeJson(Buffer.from('{"a":')), { code: 'E_BAD_FRAME', message: /not JSON/ })
  t.throws(() => decodeJson(new Uint8Array(0)), { code: 'E_BAD_FRAME' })
  t.throws(() => encodeFrame([1, 2] as unknown), { code: 'E_INVALID_ARG' })
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  t.throws(() => encodeFrame(cyclic), { code: 'E_INVALID_ARG' })
})

t.test('binary payloads travel as base64 chunks', async (t) => {
  const blob = new Uint8Array(1_300_000).map((_, i) => i * 7)
  const chunks = toBase64Chunks(blob)
  t.equal(chunks.length, 3)
  for (const c of chunks) t.ok(encodeFrame({ data: c }).byteLength < 1024 * 1024, 'each chunk fits a default frame')
  t.same(fromBase64Chunks(chunks), blob)
  t.throws(() => fromBase64Chunks(chunks, 1_000_000), { code: 'E_BAD_FRAME' })
  t.same(fromBase64Chunks(toBase64Chunks(new Uint8Array(0))), new Uint8Array(0))
})
