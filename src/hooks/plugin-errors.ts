import { Errors, type Hook } from '@oclif/core'
import { toMielinError } from '../cli/base-command.js'
import { MielinError } from '../runtime/errors.js'
import { report } from './unknown-command.js'

/**
 * The commands of oclif's plugins (help, version, autocomplete) do not extend BaseCommand, so
 * their errors would reach oclif's own printer ("› Error: …"). This prints them as every
 * mielin command does (what happened, `Code:`, `Try this:`) and tells oclif they are handled.
 * BaseCommand's errors never get here: its `catch` has printed them already.
 */
const hook: Hook.Finally = async function ({ id, argv, error }) {
  if (error === undefined || error instanceof Errors.ExitError) return
  const mielin = pluginError(error, id ?? '')
  report(mielin, argv)
  Object.assign(error, { skipOclifErrorHandling: true, oclif: { exit: mielin.exitCode } })
}

function pluginError (error: Error, id: string): MielinError {
  const exit = (error as Errors.CLIError).oclif?.exit
  // a wrong flag or argument becomes E_USAGE; an error a plugin raised on purpose keeps its message and exit code
  if (error instanceof Errors.CLIError && (error as Errors.CLIError & { parse?: unknown }).parse === undefined) {
    return new MielinError(error.message, 'E_FAILURE', {
      exitCode: typeof exit === 'number' && exit !== 0 ? exit : 1,
      suggestions: [`Run "mielin ${id.replaceAll(':', ' ')} --help" to see what it accepts.`],
      cause: error
    })
  }
  return toMielinError(error, id)
}

export default hook
