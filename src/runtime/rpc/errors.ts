/**
 * What can go wrong on an RPC connection, and how a MielinError crosses it: as an error body
 * `{ code, message, suggestions, exitCode }` (the fields `--json` prints), rebuilt on the
 * other side as a RemoteError with the same code, suggestions and exit code, so that a caller
 * reacts to it (and the CLI exits with it) as if it had happened locally.
 */
import { ExitCode, InvalidInputError, MielinError, UnavailableError, type MielinErrorOptions } from '../errors.js'

/**
 * A frame that is too big, not JSON, or of the wrong shape. `path` names the bad field
 * (`frame.load.cpu`). On the wire it resets the one connection it arrived on, nothing else.
 */
export class BadFrameError extends InvalidInputError {
  static override readonly defaultCode: string = 'E_BAD_FRAME'
  readonly path: string

  constructor (message: string, path = 'frame', options: MielinErrorOptions = {}) {
    super(message, undefined, options)
    this.path = path
  }
}

/** The connection closed (or was reset) before the answer came. */
export class StreamClosedError extends UnavailableError {
  static override readonly defaultCode: string = 'E_STREAM_CLOSED'
}

/** A request got no answer within its timeout. */
export class RequestTimeoutError extends UnavailableError {
  static override readonly defaultCode: string = 'E_REQUEST_TIMEOUT'
}

/** A request the other side cannot serve as asked: a stream method called once, or a call streamed. */
export class RpcProtocolError extends InvalidInputError {
  static override readonly defaultCode: string = 'E_RPC_PROTOCOL'
}

/** The connection has as many streams open as it allows. */
export class TooManyStreamsError extends UnavailableError {
  static override readonly defaultCode: string = 'E_TOO_MANY_STREAMS'
}

/** The method is not one the node serves. */
export class UnknownMethodError extends MielinError {
  static override readonly defaultCode: string = 'E_UNKNOWN_METHOD'
  static override readonly defaultExitCode: number = ExitCode.usage
}

/** A MielinError on the wire. */
export interface ErrorBody {
  code: string
  message: string
  suggestions: string[]
  exitCode: number
}

/**
 * A handler on the other side failed. `code`, `suggestions` and `exitCode` are the remote's
 * own (`E_AGENT_NOT_FOUND`, …); `peer` says where it happened.
 */
export class RemoteError extends MielinError {
  static override readonly defaultCode: string = 'E_REMOTE'
  readonly peer: string

  constructor (peer: string, body: Partial<ErrorBody>) {
    super(typeof body.message === 'string' ? body.message : 'The node reported an error without a message.',
      typeof body.code === 'string' && CODE.test(body.code) ? body.code : undefined, {
        suggestions: Array.isArray(body.suggestions) ? body.suggestions.filter((s): s is string => typeof s === 'string') : [],
        exitCode: typeof body.exitCode === 'number' && Number.isInteger(body.exitCode) && body.exitCode > 0 && body.exitCode < 256 ? body.exitCode : undefined
      })
    this.peer = peer
  }
}

const CODE = /^E_[A-Z0-9_]{1,62}$/

/**
 * What a handler threw that was not a MielinError: a bug. E_INTERNAL (exit 70); its message
 * names `what` failed and, with `detail`, what it said (the owner-only control socket shows
 * it; peers and remote operators get the node's word that its log has it).
 */
export function internalError (what: string, err: unknown, detail = false): MielinError {
  const said = err instanceof Error ? err.message : String(err)
  return new MielinError(detail
    ? `Internal error in the node while handling "${what}": ${said}`
    : `Internal error in the node while handling "${what}" (the node's log has the details).`, 'E_INTERNAL', {
    exitCode: ExitCode.internal,
    cause: err,
    suggestions: ['This is a bug in mielin. Re-run the node with DEBUG=mielin:* and report its output.']
  })
}

/** What a handler's failure becomes on the wire: a MielinError keeps its fields (bounded in size), anything else is an internal error. */
export function errorBody (err: unknown, what: string): ErrorBody {
  const e = err instanceof MielinError ? err : internalError(what, err)
  return { code: e.code, message: e.message.slice(0, 4096), suggestions: e.suggestions.slice(0, 8).map((s) => s.slice(0, 1024)), exitCode: e.exitCode }
}

/** Rebuilds the error a node sent, keeping its code, message, suggestions and exit code. */
export function errorFromBody (body: unknown, peer = 'node'): RemoteError {
  return new RemoteError(peer, typeof body === 'object' && body !== null ? body : {})
}
