import type { AgentConsole, AgentLog } from './agent.js'
import type { HostInterface } from './host.js'

/** `ctx.log`: each call is one line of the agent's log, its parts joined by spaces. */
export function agentLog (host: Pick<HostInterface, 'log'>): AgentLog {
  const at = (level: string) => (...parts: unknown[]): void => {
    host.log(level, parts.map(formatPart).join(' '))
  }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/**
 * The `console` agent code sees once the agent runs: `console.log` and `console.info` write
 * at level info, `warn`, `error` and `debug` at their own, exactly as `ctx.log` does. The
 * engine's own console writes to a stdout that agents do not have, so its lines were lost.
 * Other methods (`table`, `time`, …) stay the engine's.
 */
export function agentConsole (host: Pick<HostInterface, 'log'>, engine?: object): AgentConsole {
  const log = agentLog(host)
  return Object.assign(Object.create(engine ?? null) as object, { ...log, log: log.info })
}

function formatPart (part: unknown): string {
  if (typeof part === 'string') return part
  if (part instanceof Error) return `${part.name}: ${part.message}`
  try {
    return JSON.stringify(part) ?? String(part)
  } catch {
    return String(part)
  }
}
