import type { Hook } from '@oclif/core'
import { formatError } from '../cli/base-command.js'
import { UsageError } from '../runtime/errors.js'

/** An unknown command gets the same error shape as every other mistake, with the nearest command. */
const hook: Hook.CommandNotFound = async function ({ id, argv, config }) {
  const typed = id.replaceAll(':', ' ')
  const known = config.commandIDs.map((c) => c.replaceAll(':', ' '))
  const nearest = known.map((c) => ({ c, d: editDistance(c, typed) })).sort((a, b) => a.d - b.d)[0]
  const suggestions = nearest !== undefined && nearest.d <= 3 ? [`Did you mean "mielin ${nearest.c}"?`] : []
  suggestions.push('Run "mielin --help" to list the commands.')
  const error = new UsageError(`Unknown command "mielin ${typed}".`, 'E_UNKNOWN_COMMAND', { suggestions })
  process.exitCode = error.exitCode
  if (argv?.includes('--json') === true) process.stdout.write(`${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`)
  else process.stderr.write(formatError(error))
}

function editDistance (a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const here = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = here
    }
  }
  return row[b.length]
}

export default hook
