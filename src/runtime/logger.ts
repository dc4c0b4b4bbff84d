import { logger } from '@libp2p/logger'

/**
 * The runtime never writes to stdout itself: parts log through an injected logger. The default
 * is `@libp2p/logger` under the `mielin:` prefix, so one `DEBUG` variable drives mielin's lines
 * and libp2p's alike (`DEBUG=mielin:*`, `DEBUG=mielin:kernel,libp2p:dial*`).
 *
 * Debug lines stay silent unless `DEBUG` names the component. Errors always reach stderr:
 * something went wrong that the operator may have to act on, and they should not have to
 * guess a `DEBUG` value to learn of it. Keep `log.error` for those; a routine event (a peer
 * leaving, a retry) is a debug line.
 *
 * Messages go through the `debug`-style formatter, so `%p` (peer id), `%a` (multiaddr), `%b`
 * (base58 bytes) and `%e` (error with stack) work, and a literal `%` is written `%%`.
 *
 * @example
 * ```ts
 * const log = defaultLogger('kernel')
 * log('agent %s started', id) // printed with DEBUG=mielin:kernel or DEBUG=mielin:*
 * log.error('checkpoint of %s failed: %e', id, err) // printed always
 * ```
 */
export interface Logger {
  (message: string, ...args: unknown[]): void
  error: (message: string, ...args: unknown[]) => void
  /** Whether debug lines are printed (errors always are). */
  enabled: boolean
}

export type LoggerFactory = (component: string) => Logger

export const defaultLogger: LoggerFactory = (component) => {
  const debug = logger(`mielin:${component}`)
  // `enabled` is a setter on a `debug` instance: switching this one on leaves alone the set
  // that DEBUG chose (a global `enable('mielin:*:error')` would also rewrite process.env.DEBUG
  // for child processes), and libp2p's own `libp2p:*:error` lines stay behind DEBUG
  // eslint-disable-next-line @typescript-eslint/unbound-method -- `error` is a debug instance of its own (a plain function), typed as a method
  const error = debug.error
  Object.assign(error, { enabled: true })
  const log = (message: string, ...args: unknown[]): void => { debug(message, ...args) }
  return Object.defineProperties(log, {
    error: { value: error, enumerable: true },
    // weald answers `undefined` rather than false while DEBUG is unset
    enabled: { get: () => debug.enabled === true, enumerable: true }
  }) as Logger
}
