// What every RPC transport must do the same, as a caller notices it: answers, errors that keep
// their code, streams that end, cancel and back-pressure. Each transport's test builds a
// server for `methods()` and a client to it, then runs `rpcBehaviour` (see
// test/integration/rpc-transports.test.ts).
import type { Test } from 'tap'
import { AbortedError, MielinError } from '../../src/runtime/errors.js'
import type { Methods, RpcClient } from '../../src/runtime/rpc/index.js'
import { until } from './until.js'

class ScopeError extends MielinError {
  static override readonly defaultCode: string = 'E_TOKEN_SCOPE'
  static override readonly defaultExitCode: number = 5
}

/** What the methods saw, for the test to wait on. */
export interface Seen {
  /** Resolves when a handler's signal aborts, by the order the handlers started. */
  aborted: Array<Promise<void>>
  /** How far the `counter` stream has produced, and how far the test has consumed. */
  produced: number
  consumed: number
  /** The most the producer ever ran ahead of the consumer. */
  lead: number
}

const abortOf = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => { signal.addEventListener('abort', () => { resolve() }, { once: true }) })

export function methods (seen: Seen): Methods {
  return {
    calls: {
      add: ({ a, b }: { a: number, b: number }) => a + b,
      nothing: async () => undefined,
      echo: (p: unknown) => p,
      denied: () => { throw new ScopeError('This token does not grant "deploy".', undefined, { suggestions: ['mielin token issue --rights deploy'] }) },
      bug: () => { throw new TypeError('x is undefined') },
      slow: async (_p: unknown, { signal }: { signal: AbortSignal }) => {
        seen.aborted.push(abortOf(signal))
        await new Promise(() => {})
      }
    },
    streams: {
      async * count ({ to }: { to: number }) { for (let i = 1; i <= to; i++) yield { i } },
      async * broken () { yield 1; throw new ScopeError('no read') },
      async * forever (_p: unknown, { signal }: { signal: AbortSignal }) {
        seen.aborted.push(abortOf(signal))
        for (let i = 0; !signal.aborted; i++) {
          yield i
          await new Promise((resolve) => setImmediate(resolve))
        }
      },
      async * counter () {
        for (;;) {
          const value = seen.produced++
          seen.lead = Math.max(seen.lead, seen.produced - seen.consumed)
          yield value
        }
      }
    }
  }
}

export const newSeen = (): Seen => ({ aborted: [], produced: 0, consumed: 0, lead: 0 })

/** Runs the shared cases: `connect` gives a fresh client to a server of `methods(seen)`. */
export function rpcBehaviour (t: Test, connect: (t: Test) => Promise<{ client: RpcClient, seen: Seen }>): void {
  t.test('call: params in, result out; undefined becomes null; concurrent calls', async (t) => {
    const { client } = await connect(t)
    t.equal(await client.call('add', { a: 2, b: 3 }), 5)
    t.equal(await client.call('nothing'), null)
    t.same(await client.call('echo'), {}, 'params default to {}')
    const many = await Promise.all(Array.from({ length: 50 }, async (_, i) => await client.call<number>('add', { a: i, b: 1 })))
    t.same(many, Array.from({ length: 50 }, (_, i) => i + 1), 'each concurrent call gets its own answer')
  })

  t.test('a MielinError crosses with its code, message, suggestions and exit code', async (t) => {
    const { client } = await connect(t)
    const err = await client.call('denied').catch((e: unknown) => e)
    t.ok(err instanceof MielinError)
    t.match(err, { code: 'E_TOKEN_SCOPE', exitCode: 5, message: 'This token does not grant "deploy".', suggestions: ['mielin token issue --rights deploy'] })
    await t.rejects(client.call('bug'), { code: 'E_INTERNAL', exitCode: 70, message: /"bug"/, suggestions: [/bug in mielin/] })
    await t.rejects(client.call('nope'), { code: 'E_UNKNOWN_METHOD', exitCode: 2, message: /Methods: add, broken, bug, count, counter, denied, echo, forever, nothing, slow\./ })
    t.equal(await client.call('add', { a: 1, b: 1 }), 2, 'the connection is still usable')
  })

  t.test('stream: events in order, then the end; a call and a stream are not confused', async (t) => {
    const { client } = await connect(t)
    const seen: number[] = []
    for await (const e of client.stream<{ i: number }>('count', { to: 2000 })) seen.push(e.i)
    t.equal(seen.length, 2000)
    t.ok(seen.every((v, i) => v === i + 1), 'in order, none lost (many windows of credit)')
    const none: unknown[] = []
    for await (const e of client.stream('count', { to: 0 })) none.push(e)
    t.same(none, [])
    await t.rejects(client.call('count', { to: 3 }), { code: 'E_RPC_PROTOCOL', message: /use stream\(\)/ })
    await t.rejects((async () => { for await (const e of client.stream('add', { a: 1, b: 1 })) t.fail(`an event ${String(e)}`) })(), { code: 'E_RPC_PROTOCOL', message: /use call\(\)/ })
  })

  t.test('stream errors arrive as MielinErrors after the events before them', async (t) => {
    const { client } = await connect(t)
    const events: unknown[] = []
    await t.rejects((async () => { for await (const e of client.stream('broken')) events.push(e) })(), { code: 'E_TOKEN_SCOPE', exitCode: 5 })
    t.same(events, [1])
  })

  t.test('cancel: breaking out of a stream, or aborting it or a call, aborts the handler', async (t) => {
    const { client, seen } = await connect(t)
    const first: number[] = []
    for await (const e of client.stream<number>('forever')) {
      first.push(e)
      if (first.length === 3) break
    }
    t.same(first, [0, 1, 2])
    await until('the handler to see the cancel after break', () => seen.aborted.length === 1)
    await seen.aborted[0]

    const ac = new AbortController()
    const second: number[] = []
    await t.rejects((async () => {
      for await (const e of client.stream<number>('forever', {}, { signal: ac.signal })) {
        second.push(e)
        if (second.length === 2) ac.abort()
      }
    })(), AbortedError)
    t.same(second, [0, 1])
    await seen.aborted[1]

    const call = new AbortController()
    const slow = client.call('slow', {}, { signal: call.signal })
    await until('the slow handler to start', () => seen.aborted.length === 3)
    const rejected = t.rejects(slow, { code: 'E_ABORTED', exitCode: 130 })
    call.abort()
    await rejected
    await seen.aborted[2]
    t.equal(await client.call('add', { a: 1, b: 2 }), 3, 'the connection is still usable')
  })

  t.test('back-pressure: a slow consumer holds the producer to one window ahead', async (t) => {
    const { client, seen } = await connect(t)
    const WINDOW = 64 // the client's default credit
    const it = client.stream<number>('counter')[Symbol.asyncIterator]()
    const values: unknown[] = []
    for (let taken = 0; taken < 3 * WINDOW; taken++) {
      values.push((await it.next()).value)
      seen.consumed++
      if (taken % WINDOW === 0) {
        // the consumer pauses here: the producer runs up to the window, then must stop
        await until(`the producer to fill the window (${seen.produced - seen.consumed} ahead)`, () => seen.produced - seen.consumed >= WINDOW - 1)
      }
    }
    t.same(values, Array.from({ length: 3 * WINDOW }, (_, i) => i), 'every event, in order')
    t.ok(seen.lead <= WINDOW, `never more than ${WINDOW} events ahead of the consumer (at most ${seen.lead})`)
    t.ok(seen.lead >= WINDOW - 1, `and it did run ahead while the consumer paused (${seen.lead})`)
    await it.return?.()
  })
}
