import type { Hook } from '@oclif/core'
import { report, unknownCommandError, unknownPart } from './unknown-command.js'

/**
 * An unknown command gets the same error shape as every other mistake, with the nearest
 * command. oclif hands over every word before the first flag as the id (`agent:sendd:hello`),
 * arguments included: the error names only the words that are not a command.
 */
const hook: Hook.CommandNotFound = async function ({ id, argv, config }) {
  const words = id.split(':')
  report(unknownCommandError(unknownPart(words, config) ?? words.join(' '), config), argv)
}

export default hook
