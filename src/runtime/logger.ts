/**
 * The runtime never writes to stdout itself: parts log through an injected logger, and the
 * CLI decides where lines go. The default writes nothing unless DEBUG names the component
 * (`DEBUG=mielin:*` or `DEBUG=mielin:tensor`).
 */
export interface Logger {
  (message: string, ...args: unknown[]): void
  error: (message: string, ...args: unknown[]) => void
  enabled: boolean
}

export type LoggerFactory = (component: string) => Logger

function debugMatches (component: string, pattern = process.env.DEBUG ?? ''): boolean {
  return pattern.split(',').some((p) => {
    const t = p.trim()
    if (t === '') return false
    if (t.endsWith('*')) return `mielin:${component}`.startsWith(t.slice(0, -1))
    return t === `mielin:${component}`
  })
}

export const defaultLogger: LoggerFactory = (component) => {
  const enabled = debugMatches(component)
  const write = (level: string, message: string, args: unknown[]): void => {
    process.stderr.write(`mielin:${component} ${level}${message} ${args.map((a) => typeof a === 'string' ? a : JSON.stringify(a)).join(' ')}\n`)
  }
  const log = ((message: string, ...args: unknown[]) => { if (enabled) write('', message, args) }) as Logger
  log.error = (message, ...args) => { if (enabled) write('error: ', message, args) }
  log.enabled = enabled
  return log
}
