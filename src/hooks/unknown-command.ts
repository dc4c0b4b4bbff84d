/**
 * What the hooks share: the error for a command that does not exist (with the nearest one
 * that does), and printing an error the way every mielin command does, text or `--json`.
 */
import type { Interfaces } from '@oclif/core'
import { formatError } from '../cli/base-command.js'
import { UsageError, type MielinError } from '../runtime/errors.js'

/** A typo this many edits from a command is still worth a "Did you mean". */
const NEAREST_MAX_EDITS = 3

/**
 * `mielin TYPED` names no command. `asked` says what the user typed it for: to run it, or for
 * its help (`mielin help TYPED`, `mielin TYPED --help`), which the suggestion then repeats.
 */
export function unknownCommandError (typed: string, config: Interfaces.Config, asked: 'run' | 'help' = 'run'): UsageError {
  const known = config.commandIDs.map((c) => c.replaceAll(':', ' '))
  const nearest = known.map((c) => ({ c, d: editDistance(c, typed) })).sort((a, b) => a.d - b.d)[0]
  const suggestions = nearest !== undefined && nearest.d <= NEAREST_MAX_EDITS
    ? [`Did you mean "mielin ${asked === 'help' ? `help ${nearest.c}` : nearest.c}"?`]
    : []
  suggestions.push('Run "mielin help" to list the commands.')
  return new UsageError(`Unknown command "mielin ${typed}".`, 'E_UNKNOWN_COMMAND', { suggestions })
}

/**
 * The first words of `words` (a command id, split) that name no command or topic, joined with
 * spaces; undefined when they all do, or when the rest are arguments of a command.
 */
export function unknownPart (words: readonly string[], config: Interfaces.Config): string | undefined {
  const known = new Set(config.commandIDs.flatMap((id) => id.split(':').map((_, i, parts) => parts.slice(0, i + 1).join(':'))))
  const taken: string[] = []
  for (const word of words) {
    if (known.has([...taken, word].join(':'))) {
      taken.push(word)
      continue
    }
    if (taken.length > 0 && config.findCommand(taken.join(':')) !== undefined) return undefined
    return [...taken, word].join(' ')
  }
  return undefined
}

/** Prints `error` as a command would (JSON on stdout under --json, else text on stderr) and sets the exit code. */
export function report (error: MielinError, argv: readonly string[] | undefined): void {
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
