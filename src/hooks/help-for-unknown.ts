import type { Hook } from '@oclif/core'
import { ExitCode } from '../runtime/errors.js'
import { report, unknownCommandError, unknownPart } from './unknown-command.js'

/**
 * `mielin help agent sendd` or `mielin agent sendd --help`: help for a command that does not
 * exist. oclif's help would print its own bare "Command agent:sendd not found."; this gives
 * the error every mielin command gives, with the nearest command, before help runs.
 */
const hook: Hook.Init = async function ({ id, argv, config }) {
  const words = helpSubject(id, argv, config.pjson.oclif.additionalHelpFlags ?? [])
  const unknown = words === undefined ? undefined : unknownPart(words, config)
  if (unknown === undefined) return
  report(unknownCommandError(unknown, config, 'help'), argv)
  this.exit(ExitCode.usage)
}

/** The words of the command whose help was asked for; undefined when no help was asked. */
function helpSubject (id: string | undefined, argv: readonly string[], helpFlags: readonly string[]): string[] | undefined {
  if (id === 'help') {
    const firstFlag = argv.findIndex((a) => a.startsWith('-'))
    return firstFlag === -1 ? [...argv] : argv.slice(0, firstFlag)
  }
  const end = argv.includes('--') ? argv.indexOf('--') : argv.length
  const asked = argv.slice(0, end).some((a) => a === '--help' || helpFlags.includes(a))
  return asked && id !== undefined ? id.split(':') : undefined
}

export default hook
