/**
 * Methods by name, served on a channel: the control API's calls (`agent.list`) and streams
 * (`agent.logs.follow`). A request body is `{ method, params, token? }`; `authorize` checks
 * it before the method runs (a remote operator's token), and a method that is not there is
 * refused with the list of those that are.
 */
import type { PeerId } from '@libp2p/interface'
import { z } from 'zod'
import { MielinError } from '../errors.js'
import type { Logger } from '../logger.js'
import type { ChannelHandlerEntry } from './channel.js'
import { internalError, UnknownMethodError } from './errors.js'

export interface MethodContext {
  /** Aborted when the caller cancels or hangs up, or the server stops. */
  signal: AbortSignal
  /** Who asks: a peer id, or the local socket's path. */
  peer?: string
  /** The asking node, over libp2p. */
  remotePeer?: PeerId
}

// Method syntax makes `params` bivariant, so a method may declare the params it reads
// (`(p: { id: string }) => …`): what a caller sent is JSON, and each method takes what it needs.
type MethodOf<R> = { method (params: unknown, ctx: MethodContext): R }['method']

/** A method that answers once. Its result must survive JSON.stringify (undefined becomes null). */
export type CallMethod = MethodOf<unknown>
/** A method that streams: each value is one event; stop when the signal aborts. */
export type StreamMethod = MethodOf<AsyncIterable<unknown>>

export interface Methods {
  /** Request/response methods by name. @default none */
  calls?: Record<string, CallMethod>
  /** Streaming methods by name. @default none */
  streams?: Record<string, StreamMethod>
}

/** A method request on the wire. */
export interface MethodRequest {
  method: string
  params: unknown
  /** A capability token, for servers that ask for one. */
  token?: string
}

export interface ServeMethodsOptions {
  /** Checks each request before its method runs; throw a MielinError to refuse it. @default everything passes */
  authorize?: (request: MethodRequest, ctx: MethodContext) => Promise<void> | void
  /** Whether a bug's own message reaches the caller (the owner-only socket). @default false */
  detail?: boolean
  /** Where bugs are logged. @default silent */
  logger?: Logger
}

/** A request body: `{ method, params?, token? }`; a body that is not one resets the connection. */
const requestSchema: z.ZodType<MethodRequest> = z.object({
  method: z.string().min(1).max(128),
  params: z.unknown().optional(),
  token: z.string().max(4096).optional()
}).transform(({ method, params, token }) => ({ method, params: params ?? {}, ...(token !== undefined ? { token } : {}) }))

/** The channel handler that serves `methods`. */
export function serveMethods (methods: Methods, options: ServeMethodsOptions = {}): ChannelHandlerEntry<MethodRequest> {
  const calls = methods.calls ?? {}
  const streams = methods.streams ?? {}
  const fail = (method: string, err: unknown): MielinError => {
    if (err instanceof MielinError) return err
    options.logger?.error(`method ${method} failed: ${(err as Error)?.stack ?? String(err)}`)
    return internalError(method, err, options.detail)
  }
  async function * named (method: string, events: AsyncIterable<unknown>): AsyncIterable<unknown> {
    try {
      yield * events
    } catch (err) {
      throw fail(method, err)
    }
  }
  return {
    schema: requestSchema,
    handler: async (req, ctx) => {
      const { method } = req
      const call = Object.hasOwn(calls, method) ? calls[method] : undefined
      const stream = Object.hasOwn(streams, method) ? streams[method] : undefined
      if (call === undefined && stream === undefined) {
        const known = [...Object.keys(calls), ...Object.keys(streams)].sort()
        throw new UnknownMethodError(`Unknown method "${method}". Methods: ${known.join(', ') || '(none)'}.`, undefined, {
          suggestions: ['Use the same mielin version for the CLI and the node']
        })
      }
      const mctx: MethodContext = { signal: ctx.signal, peer: ctx.peer, ...(ctx.remotePeer !== undefined ? { remotePeer: ctx.remotePeer } : {}) }
      await options.authorize?.(req, mctx)
      try {
        if (call !== undefined) return (await call(req.params, mctx)) ?? null
        return named(method, (stream as StreamMethod)(req.params, mctx))
      } catch (err) {
        throw fail(method, err)
      }
    }
  }
}
