/** What an admin types to issue a token (`--ttl 1h`, `--rights deploy,send`), turned into values. */
import { InvalidArgumentError } from '../../errors.js'
import { RIGHTS, type Right } from './token-claims.js'

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 }

/** Seconds in a duration such as `30s`, `15m`, `1h` or `7d`; InvalidArgumentError otherwise. */
export function parseDuration (text: string): number {
  const m = /^\s*(\d+)\s*([smhd])\s*$/i.exec(text)
  const value = m === null ? 0 : Number(m[1]) * (UNITS[m[2].toLowerCase()] ?? 0)
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`"${text}" is not a duration. Use a positive whole number and a unit: 30s (seconds), 15m (minutes), 1h (hours) or 7d (days).`, undefined, {
      suggestions: ['--ttl 1h']
    })
  }
  return value
}

/** The rights in a comma-separated list such as `deploy,send`; InvalidArgumentError names the valid ones. */
export function parseRights (text: string): Right[] {
  const rights = text.split(',').map((r) => r.trim()).filter((r) => r !== '')
  if (rights.length === 0) throw new InvalidArgumentError(`No rights given. Valid rights: ${RIGHTS.join(', ')}.`, undefined, { suggestions: ['--rights deploy,send'] })
  for (const r of rights) if (!RIGHTS.includes(r as Right)) throw InvalidArgumentError.choice('right', r, RIGHTS)
  return [...new Set(rights)] as Right[]
}
