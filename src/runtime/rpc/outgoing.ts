/**
 * This side's requests on a channel's connection: a call waits for its answer (or its error,
 * timeout, abort), a stream yields its events within the credit it grants. Either sends a
 * cancel when the caller gives up first.
 */
import type { z } from 'zod'
import { AbortedError } from '../errors.js'
import { IncomingStream } from './incoming-stream.js'
import { RequestTimeoutError, RpcProtocolError } from './errors.js'
import { parseFrame } from './frame-schema.js'
import type { FrameStream } from './frame-stream.js'
import type { RpcFrame } from './frames.js'

/** What waits for the other side: a call's answer, or a stream's events. */
export interface Pending {
  answer: (body: unknown) => void
  event: (body: unknown) => void
  end: () => void
  fail: (err: Error) => void
}

/** The connection a request goes out on, and the requests waiting on it by id. */
export interface Outgoing { fs: FrameStream, pending: Map<number, Pending> }

/** Who is asked about what, for messages. */
export interface Asked { peer: string, protocol: string }

/** `schema` checks the answer (each event of a stream); without one it is taken as it came. */
export interface CallOptions<T> { signal?: AbortSignal, timeoutMs: number, schema?: z.ZodType<T> }
export interface StreamOptions<T> { signal?: AbortSignal, window: number, schema?: z.ZodType<T> }

const check = <T>(schema: z.ZodType<T> | undefined, body: unknown): T => schema === undefined ? body as T : parseFrame(schema, body, 'frame.b')

/** Sends request `id` and waits for its answer. */
export async function call<T> (att: Outgoing, id: number, body: unknown, { signal, timeoutMs, schema }: CallOptions<T>, asked: Asked): Promise<T> {
  return await new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined
    const done = (): void => {
      att.pending.delete(id)
      if (timer !== undefined) clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
    const giveUp = (err: Error): void => {
      done()
      void att.fs.write({ k: 'c', id }).catch(() => {})
      reject(err)
    }
    const onAbort = (): void => { giveUp(new AbortedError('Aborted.', { cause: signal?.reason })) }
    att.pending.set(id, {
      answer: (b) => {
        done()
        try {
          resolve(check(schema, b))
        } catch (err) {
          const e = err instanceof Error ? err : new Error(String(err))
          reject(e)
          att.fs.fail(e)
        }
      },
      event: () => { giveUp(new RpcProtocolError(`${asked.peer} answered a call on ${asked.protocol} with a stream.`)) },
      end: () => { giveUp(new RpcProtocolError(`${asked.peer} answered a call on ${asked.protocol} with a stream.`)) },
      fail: (err) => { done(); reject(err) }
    })
    signal?.addEventListener('abort', onAbort, { once: true })
    if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
      timer = setTimeout(() => {
        giveUp(new RequestTimeoutError(`${asked.peer} did not answer ${asked.protocol} within ${timeoutMs} ms.`, undefined, {
          suggestions: ['Check that the node is alive (mielin mesh status) and not overloaded.']
        }))
      }, timeoutMs)
    }
    att.fs.write({ k: 'q', id, b: body }).catch((err: Error) => { att.pending.get(id)?.fail(err) })
  })
}

/** Sends stream request `id` and yields its events as the consumer takes them. */
export async function * stream<T> (att: Outgoing, id: number, body: unknown, { signal, window, schema }: StreamOptions<T>, asked: Asked): AsyncGenerator<T, void, undefined> {
  const send = (frame: RpcFrame): void => { void att.fs.write(frame).catch(() => {}) }
  const incoming = new IncomingStream({
    window,
    grant: (n) => { send({ k: 'm', id, n }) },
    cancel: () => { send({ k: 'c', id }) },
    done: () => { att.pending.delete(id) }
  })
  att.pending.set(id, {
    answer: () => { incoming.fail(new RpcProtocolError(`${asked.peer} answered a stream on ${asked.protocol} with one value.`)) },
    event: (b) => {
      try {
        incoming.push(check(schema, b))
      } catch (err) {
        incoming.fail(err as Error)
        att.fs.fail(err as Error)
      }
    },
    end: () => { incoming.end() },
    fail: (err) => { incoming.fail(err) }
  })
  att.fs.write({ k: 'q', id, b: body, w: window }).catch((err: Error) => { incoming.fail(err) })
  yield * incoming.events(signal) as AsyncGenerator<T, void, undefined>
}
