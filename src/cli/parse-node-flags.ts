import { InvalidArgumentError } from '../runtime/errors.js'

/** `HOST:PORT` (IPv4 or a name; port 0 picks a free one). */
export function parseBind (value: string): { host: string, port: number } {
  const m = /^([^:\s]+):(\d{1,5})$/.exec(value.trim())
  const port = m === null ? NaN : Number(m[2])
  if (m === null || port > 65535) {
    throw new InvalidArgumentError(`--bind "${value}" is not HOST:PORT.`, undefined, { suggestions: ['For example: --bind 0.0.0.0:9000, or --bind 127.0.0.1:9001 for a local test cluster'] })
  }
  return { host: m[1], port }
}

/** `k=v` labels. */
export function parseLabels (values: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const v of values) {
    const eq = v.indexOf('=')
    if (eq < 1) throw new InvalidArgumentError(`--label "${v}" is not k=v.`, undefined, { suggestions: ['For example: --label region=eu'] })
    out[v.slice(0, eq)] = v.slice(eq + 1)
  }
  return out
}
