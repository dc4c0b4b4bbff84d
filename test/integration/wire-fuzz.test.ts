// 10,000 random and malformed frames thrown at every protocol the mesh core serves
// (heartbeat, admit, a one-shot RPC and a channel); the node must stay up, reset only the
// offending streams, and still answer a correct request afterwards.
import { randomBytes } from 'node:crypto'
import '../helpers/esm-js-hook.js'
import t from 'tap'
import { quic } from '@chainsafe/libp2p-quic'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection, Stream } from '@libp2p/interface'
import { createLibp2p } from 'libp2p'
import type { Logger } from '../../src/runtime/logger.js'


const { ADMIT_PROTOCOL, HEARTBEAT_PROTOCOL, Mesh, createMembership, encodeFrame, schema, signBeat } = await import('../../src/runtime/mesh/index.js')

const ECHO = '/mielin/echo/1.0.0'
const CHAT = '/mielin/chat/1.0.0'
const Echo = schema.object({ text: schema.string({ max: 100 }) })
const clusterKey = randomBytes(32)

// a seeded generator, so a failure can be replayed
let seed = Number(process.env.FUZZ_SEED ?? 0x5eed)
const rand = (): number => {
  seed = (seed + 0x6d2b79f5) | 0
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296
}
const int = (n: number): number => Math.floor(rand() * n)
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T
const bytes = (n: number): Uint8Array => { const b = Buffer.allocUnsafe(n); for (let i = 0; i < n; i++) b[i] = int(256); return b }
const varint = (n: number): number[] => { const out: number[] = []; while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128) } out.push(n); return out }
const framed = (body: Uint8Array): Uint8Array => Buffer.concat([Uint8Array.from(varint(body.byteLength)), body])
const text = (s: string): Uint8Array => Buffer.from(s)

function randomJson (depth = 0): unknown {
  switch (int(depth > 3 ? 5 : 8)) {
    case 0: return null
    case 1: return rand() * 1e6 - 5e5
    case 2: return pick([true, false])
    case 3: return Buffer.from(bytes(int(40))).toString('latin1')
    case 4: return int(2 ** 31)
    case 5: return Array.from({ length: int(5) }, () => randomJson(depth + 1))
    default: return Object.fromEntries(Array.from({ length: int(5) }, () => [pick(['k', 'id', 'b', 'e', 'text', 'beat', 'relay', 'nonce', 'mac', 'v', '__proto__', 'x']), randomJson(depth + 1)]))
  }
}

/** Frames that parse as JSON but are wrong (or, rarely, right) for each protocol. */
const shaped: Record<string, () => object> = {
  [ECHO]: () => pick([{ text: int(10) }, { text: 'x'.repeat(101 + int(1000)) }, { txt: 'hi' }, { text: 'ok' }, {}]),
  [CHAT]: () => pick([
    { k: 'q', id: int(1e6), b: { text: int(5) } }, { k: 'q', b: { text: 'no id' } }, { k: 'z', id: 1 }, { k: 'n' }, { k: 'e', id: 1 },
    { k: 's', id: int(1e6), b: {} }, { k: 'q', id: -1, b: { text: 'x' } }, { k: 'q', id: 1.5, b: {} }, { k: 'q', id: int(1e6), b: { text: 'fine' } },
    { k: 'n', b: { text: 'fine' } }, { k: 'e', id: 3, e: { code: 'E_X', message: 'm' } }
  ]),
  [HEARTBEAT_PROTOCOL]: () => pick([
    { k: 'n', b: { beat: { body: '{}', sig: 'AAAA' } } }, { k: 'n', b: { beat: { body: 'x'.repeat(40_000), sig: '' } } },
    { k: 'n', b: { beat: { body: JSON.stringify({ peerId: 'nope' }), sig: 'AAAA' }, relay: [{ body: '{}', sig: 'AA==' }] } },
    { k: 'n', b: { beat: 'x' } }, { k: 'q', id: 1, b: { beat: { body: '{}', sig: 'AAAA' } } }, { k: 'n', b: { relay: Array.from({ length: 40 }, () => ({ body: '{}', sig: 'AAAA' })) } }
  ]),
  [ADMIT_PROTOCOL]: () => pick([
    { v: 1, nonce: randomBytes(32).toString('base64') }, { v: 2, nonce: 'AAAA' }, { v: 1, nonce: 'not base64!' }, { v: 1, nonce: randomBytes(31).toString('base64') },
    { nonce: randomBytes(32).toString('base64'), mac: randomBytes(32).toString('base64') }, { mac: randomBytes(32).toString('base64') }, { ok: true }
  ])
}

/** One fuzz case: the bytes to send on a fresh stream of `protocol`. */
function fuzzCase (protocol: string): Uint8Array {
  const gen = shaped[protocol] as () => object
  const kind = int(100)
  if (kind < 12) return bytes(int(2048)) // noise
  if (kind < 20) return Uint8Array.from([0x80 | int(128), ...(rand() < 0.5 ? [0xff] : [])]) // a truncated length prefix
  if (kind < 28) return Buffer.concat([Uint8Array.from(varint(2 ** 20 + 1 + int(2 ** 26))), bytes(int(200))]) // an oversize length
  if (kind < 34) return Buffer.concat([Uint8Array.from(varint(200 + int(5000))), bytes(int(150))]) // a body shorter than announced
  if (kind < 40) return Uint8Array.from([0x80, 0x00]) // a non-minimal prefix
  if (kind < 46) return framed(text(Buffer.from(bytes(1 + int(300))).toString('latin1').replace(/[{["0-9]/g, '#'))) // not JSON
  if (kind < 50) return framed(Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])) // not UTF-8
  if (kind < 62) return framed(text(JSON.stringify(randomJson()))) // JSON of any shape
  if (kind < 88) return encodeFrame(gen()) // plausible frames, mostly wrong
  if (kind < 92) return Buffer.concat([encodeFrame(gen()), bytes(int(64))]) // a frame, then garbage
  if (kind < 96) return framed(text(`${'['.repeat(5_000 + int(50_000))}${']'.repeat(10)}`)) // deep nesting
  if (kind < 99) return encodeFrame({ text: 'x'.repeat(1000 + int(60_000)), k: 'q', id: 1, b: { text: 'x'.repeat(int(5000)) } }) // long strings
  // rarely (the bytes cost time): a huge string under the 1 MiB limit, or a whole frame over it
  return rand() < 0.6 ? encodeFrame({ text: 'x'.repeat(500_000 + int(500_000)) }) : framed(text(JSON.stringify({ text: 'y'.repeat(1_100_000) })))
}

async function throwAt (conn: Connection, protocol: string, payload: Uint8Array): Promise<void> {
  let stream: Stream
  try {
    stream = await conn.newStream(protocol, { signal: AbortSignal.timeout(5000) })
  } catch {
    return // refused at negotiation (stream limits): nothing reached a handler
  }
  const closed = new Promise<void>((resolve) => { stream.addEventListener('close', () => { resolve() }, { once: true }) })
  try {
    if (!stream.send(payload)) await stream.onDrain({ signal: AbortSignal.timeout(5000) })
    await stream.close({ signal: AbortSignal.timeout(5000) })
  } catch {}
  // wait for the node to answer, reset or close; read whatever it says
  void (async () => { try { for await (const _ of stream) {} } catch {} })()
  let timer: NodeJS.Timeout | undefined
  await Promise.race([closed, new Promise((resolve) => { timer = setTimeout(resolve, 3000) })])
  clearTimeout(timer)
  if (stream.status === 'open') {
    lingering++ // the node neither answered nor reset within 3 s
    stream.abort(new Error('fuzz case done'))
  }
}
let lingering = 0

async function run (cases: number, concurrency: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < cases) await one(next++)
  }))
}

t.test('the node survives 10,000 bad frames and still answers', async (t) => {
  let badFrames = 0
  const errors: string[] = []
  const log = Object.assign((message: string) => { if (/bad frame/.test(message)) badFrames++ }, {
    error: (message: string) => { errors.push(message) },
    enabled: true
  }) as Logger
  const target = new Mesh({ privateKey: await generateKeyPair('Ed25519'), clusterKey, refuseForMs: 0 }, { logger: log })
  let served = 0
  await target.handle(ECHO, Echo, (req) => { served++; return { text: req.text } })
  await target.handleChannel(CHAT, Echo, (req) => ({ text: req.text }))
  await target.start()
  const targetMembers = createMembership({ mesh: target, logger: log }, { name: 'target', intervalMs: 250 })
  await targetMembers.start()

  const attacker = new Mesh({ privateKey: await generateKeyPair('Ed25519'), clusterKey, transports: ['tcp'] })
  await attacker.start()
  const attackerMembers = createMembership({ mesh: attacker }, { name: 'attacker', intervalMs: 250 })
  await attackerMembers.start()
  const outsider = await createLibp2p({ privateKey: await generateKeyPair('Ed25519'), addresses: { listen: [] }, transports: [quic()], connectionEncrypters: [], streamMuxers: [] })
  t.teardown(async () => {
    await Promise.allSettled([targetMembers.stop(), attackerMembers.stop()])
    await Promise.allSettled([attacker.stop(), target.stop(), outsider.stop()])
  })

  const tcp = target.multiaddrs().find((m) => m.toString().includes('/tcp/'))
  const udp = target.multiaddrs().find((m) => m.toString().includes('/quic-v1'))
  await attacker.dial(tcp as never)
  const conn = attacker.libp2p.getConnections(target.peerId)[0] as Connection

  // a forged heartbeat: well formed and signed, but by the attacker in the name of someone else
  const forged = await signBeat({ peerId: outsider.peerId.toString(), name: 'ghost', labels: {}, hardware: {}, load: { agents: 0, messagesPerSec: 0, cpu: 0, memory: 0 }, seq: 1, incarnation: 1, ts: 0, addrs: [] }, async (d) => await attacker.sign(d))

  const started = Date.now()
  const plan: Array<[string, number, number]> = [[ECHO, 3000, 24], [CHAT, 3300, 6], [HEARTBEAT_PROTOCOL, 3200, 6]]
  let thrown = 0
  await Promise.all(plan.map(async ([protocol, cases, concurrency]) => {
    const t0 = Date.now()
    await run(cases, concurrency, async (i) => {
      const payload = protocol === HEARTBEAT_PROTOCOL && i % 50 === 0 ? encodeFrame({ k: 'n', b: { beat: forged } }) : fuzzCase(protocol)
      await throwAt(conn, protocol, payload)
      thrown++
    })
    t.comment(`${protocol}: ${cases} cases in ${Date.now() - t0} ms`)
  }))
  const t1 = Date.now()
  // admission runs once per new connection: each case is a fresh QUIC connection from an outsider
  await run(500, 8, async () => {
    try {
      const c = await outsider.dial(udp as never, { signal: AbortSignal.timeout(5000), force: true })
      await throwAt(c, ADMIT_PROTOCOL, fuzzCase(ADMIT_PROTOCOL))
      await c.close().catch(() => {})
    } catch {}
    thrown++
  })
  t.comment(`${ADMIT_PROTOCOL}: 500 cases in ${Date.now() - t1} ms`)
  t.equal(thrown, 10_000, `10,000 cases thrown in ${Date.now() - started} ms`)
  t.equal(lingering, 0, 'every bad stream was answered, reset or closed by the node')
  t.ok(badFrames > 3000, `the node logged ${badFrames} bad frames`)
  t.same(errors, [], 'no handler crashed, nothing escaped as an error')

  t.equal(target.status, 'started', 'the node is up')
  t.same(await attacker.request(target.peerId, ECHO, { text: 'after' }), { text: 'after' }, 'the fuzzing connection still works: only streams were reset')
  const fresh = new Mesh({ privateKey: await generateKeyPair('Ed25519'), clusterKey })
  await fresh.start()
  t.teardown(async () => { await fresh.stop() })
  await fresh.dial(udp as never)
  t.same(await fresh.request(target.peerId, ECHO, { text: 'hello' }), { text: 'hello' }, 'a newcomer gets a correct answer (QUIC)')
  t.same(await fresh.channel(target.peerId, CHAT).request({ text: 'chan' }), { text: 'chan' }, 'and on a channel')
  t.ok(served > 0, `some valid requests were served during the storm (${served})`)
  const names = targetMembers.members().map((m) => m.name).sort()
  t.same(names, ['attacker', 'target'], 'no forged member got into the table')
  t.equal(targetMembers.member(attacker.peerId)?.state, 'alive', 'the real peer stayed alive throughout')
})
