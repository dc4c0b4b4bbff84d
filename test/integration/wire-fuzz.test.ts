// 10,000 random and malformed frames thrown, in ten batches, at every protocol the mesh core
// serves (heartbeat, admit, a request protocol and a channel). After each batch the node must still
// answer on fresh streams; a channel opened before the storm must keep working on its first
// stream all through it; and the node must end every bad stream itself (reset, or answer and
// close), resetting every stream that carried bytes no frame can be.
import { randomBytes } from 'node:crypto'
import '../helpers/esm-js-hook.js'
import t from 'tap'
import { quic } from '@chainsafe/libp2p-quic'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createLibp2p } from 'libp2p'
import { z } from 'zod'
import type { Logger } from '../../src/runtime/logger.js'
import { framed, rng, throwAt, varint } from '../helpers/fuzz.js'
import { SteadyChannel, Tally } from '../helpers/storm.js'
import { until } from '../helpers/until.js'

const { ADMIT_PROTOCOL, Channel, HEARTBEAT_PROTOCOL, Mesh, createMembership, encodeFrame, signBeat } = await import('../../src/runtime/mesh/index.js')

const ECHO = '/mielin/echo/1.0.0'
const CHAT = '/mielin/chat/1.0.0'
const Echo = z.object({ text: z.string().max(100) })
const clusterKey = randomBytes(32)
const { rand, int, pick, bytes } = rng(Number(process.env.FUZZ_SEED ?? 0x5eed))
t.setTimeout(300_000) // 10,000 cases on a 2-core machine that other work shares
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

/** One fuzz case: the bytes to send on a fresh stream, and whether no frame can be read from them (the node must reset). */
function fuzzCase (protocol: string): { payload: Uint8Array, malformed: boolean } {
  const gen = shaped[protocol]
  const kind = int(100)
  const bad = (payload: Uint8Array): { payload: Uint8Array, malformed: boolean } => ({ payload, malformed: true })
  const maybe = (payload: Uint8Array): { payload: Uint8Array, malformed: boolean } => ({ payload, malformed: false })
  if (kind < 12) return maybe(bytes(int(2048))) // noise
  if (kind < 20) return maybe(Uint8Array.from([0x80 | int(128), ...(rand() < 0.5 ? [0xff] : [])])) // a truncated length prefix
  if (kind < 28) return bad(Buffer.concat([Uint8Array.from(varint(2 ** 20 + 1 + int(2 ** 26))), bytes(int(200))])) // an oversize length
  if (kind < 34) return maybe(Buffer.concat([Uint8Array.from(varint(200 + int(5000))), bytes(int(150))])) // a body shorter than announced
  if (kind < 40) return bad(Uint8Array.from([0x80, 0x00])) // a non-minimal prefix
  if (kind < 46) return bad(framed(text(Buffer.from(bytes(1 + int(300))).toString('latin1').replace(/[{["0-9]/g, '#')))) // not JSON
  if (kind < 50) return bad(framed(Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]))) // not UTF-8
  if (kind < 62) return maybe(framed(text(JSON.stringify(randomJson())))) // JSON of any shape
  if (kind < 88) return maybe(encodeFrame(gen())) // plausible frames, mostly wrong
  if (kind < 92) return maybe(Buffer.concat([encodeFrame(gen()), bytes(int(64))])) // a frame, then garbage
  if (kind < 96) return bad(framed(text(`${'['.repeat(5_000 + int(50_000))}${']'.repeat(10)}`))) // deep nesting, unbalanced
  if (kind < 99) return maybe(encodeFrame({ text: 'x'.repeat(1000 + int(60_000)), k: 'q', id: 1, b: { text: 'x'.repeat(int(5000)) } })) // long strings
  // rarely (the bytes cost time): a huge string under the 1 MiB limit, or a whole frame over it
  return rand() < 0.6 ? maybe(encodeFrame({ text: 'x'.repeat(500_000 + int(500_000)) })) : bad(framed(text(JSON.stringify({ text: 'y'.repeat(1_100_000) }))))
}

async function run (cases: number, concurrency: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < cases) await one(next++)
  }))
}

t.test('the node survives 10,000 bad frames, resets only the bad streams, and still serves', async (t) => {
  let badFrames = 0
  const errors: string[] = []
  const log: Logger = Object.assign((message: string) => { if (/bad frame/.test(message)) badFrames++ }, {
    error: (message: string) => { errors.push(message) },
    enabled: true
  })
  const target = new Mesh({ logger: log }, { privateKey: await generateKeyPair('Ed25519'), clusterKey, refuseForMs: 0 })
  let served = 0
  await target.handle(ECHO, Echo, (req) => { served++; return { text: req.text } })
  await target.handleChannel(CHAT, Echo, (req) => ({ text: req.text }))
  await target.start()
  const targetMembers = createMembership({ mesh: target, logger: log }, { name: 'target', intervalMs: 250 })
  await targetMembers.start()

  const attacker = new Mesh({}, { privateKey: await generateKeyPair('Ed25519'), clusterKey, transports: ['tcp'] })
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
  const conn = attacker.libp2p.getConnections(target.peerId)[0]

  // a channel opened before the storm, on the fuzzing connection, used all through it
  const channel = new Channel({ protocol: CHAT, peer: 'target' }, { stream: await conn.newStream(CHAT), connection: conn })
  t.teardown(async () => { await channel.close() })
  const steady = new SteadyChannel(async (n) => {
    const answer = await channel.request({ text: `steady ${n}` }, { timeoutMs: 10_000 })
    return { right: answer.text === `steady ${n}`, answer }
  })
  await steady.once()
  t.equal(steady.answers, 1, 'the steady channel answers before the storm')

  // a forged heartbeat: well formed and signed, but by the attacker in the name of someone else
  const forged = await signBeat({ peerId: outsider.peerId.toString(), name: 'ghost', labels: {}, hardware: {}, load: { agents: 0, messagesPerSec: 0, cpu: 0, memory: 0 }, seq: 1, incarnation: 1, ts: 0, addrs: [] }, async (d) => await attacker.sign(d))

  const tally = new Tally()
  const started = Date.now()
  const BATCHES = 10
  for (let batch = 1; batch <= BATCHES; batch++) {
    const t0 = Date.now()
    let turnedAway = 0
    await steady.during(async () => {
      const plan: Array<[string, number, number]> = [[ECHO, 300, 24], [CHAT, 330, 6], [HEARTBEAT_PROTOCOL, 320, 6]]
      await Promise.all(plan.map(async ([protocol, cases, concurrency]) => {
        await run(cases, concurrency, async (i) => {
          await tally.throw(conn, protocol, protocol === HEARTBEAT_PROTOCOL && i % 50 === 0
            ? { payload: encodeFrame({ k: 'n', b: { beat: forged } }), malformed: false }
            : fuzzCase(protocol))
        })
      }))
      // admission runs once per new connection: each case is a fresh QUIC connection from an
      // outsider; whatever it sends, the node must end the stream and close the connection
      await run(50, 8, async () => {
        const outsiderConn = await outsider.dial(udp as never, { signal: AbortSignal.timeout(5000), force: true })
        const { ending } = await throwAt(outsiderConn, ADMIT_PROTOCOL, fuzzCase(ADMIT_PROTOCOL).payload)
        if (ending === 'lingering') tally.endings.lingering++
        await until('the node to close the outsider\'s connection', () => outsiderConn.status !== 'open', 5000)
        turnedAway++
        tally.thrown++
      })
    })
    t.comment(`batch ${batch}: ${tally.thrown} cases so far, ${Date.now() - t0} ms, steady channel answered ${steady.answers}`)

    const { got, want } = tally.verdict(steady)
    if (!t.same(got, want, `batch ${batch}: only bad streams ended: the steady channel answered on its first stream, the connection stayed, the node ended every bad stream`)) break // the next batches would only fail the same way, slowly
    // the node still serves, on fresh streams of the same connection
    if (target.status !== 'started') t.fail(`batch ${batch}: the node stopped`)
    const echoed = await attacker.request(target.peerId, ECHO, { text: `after ${batch}` })
    const fresh = new Channel({ protocol: CHAT, peer: 'target' }, { stream: await conn.newStream(CHAT), connection: conn })
    const chatted = await fresh.request({ text: `fresh ${batch}` })
    await fresh.close()
    t.same([echoed, chatted], [{ text: `after ${batch}` }, { text: `fresh ${batch}` }], `batch ${batch}: a fresh request and a fresh channel get correct answers`)
    t.equal(turnedAway, 50, `batch ${batch}: the node closed the connection of every outsider`)
  }
  const { endings } = tally
  t.equal(tally.thrown, 10_000, `10,000 cases thrown in ${Date.now() - started} ms`)
  t.ok(steady.answers > 100, `the steady channel answered ${steady.answers} requests during the storm`)
  t.ok(channel.open, 'and is still open on its first stream')
  t.same(tally.notReset, [], 'every stream that carried bytes no frame can be was reset')
  t.ok(endings.reset > 3000, `the node reset ${endings.reset} streams`)
  t.ok(endings.closed > 0, `and answered or closed ${endings.closed} cleanly`)
  t.equal(endings.refused, 0, 'no stream was refused at negotiation: every case reached a handler')
  t.ok(badFrames > 3000, `the node logged ${badFrames} bad frames`)
  t.same(errors, [], 'no handler crashed, nothing escaped as an error')

  const newcomer = new Mesh({}, { privateKey: await generateKeyPair('Ed25519'), clusterKey })
  await newcomer.start()
  t.teardown(async () => { await newcomer.stop() })
  await newcomer.dial(udp as never)
  t.same(await newcomer.request(target.peerId, ECHO, { text: 'hello' }), { text: 'hello' }, 'a newcomer gets a correct answer (QUIC)')
  t.same(await newcomer.channel(target.peerId, CHAT).request({ text: 'chan' }), { text: 'chan' }, 'and on a channel')
  t.ok(served > 0, `some valid requests were served during the storm (${served})`)
  const names = targetMembers.members().map((m) => m.name).sort()
  t.same(names, ['attacker', 'target'], 'no forged member got into the table')
  t.equal(targetMembers.member(attacker.peerId)?.state, 'alive', 'the real peer stayed alive throughout')
})
