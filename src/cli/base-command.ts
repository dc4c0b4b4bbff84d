import { Command, Errors } from '@oclif/core'
import { AbortedError, ExitCode, MielinError, UsageError } from '../runtime/errors.js'

/**
 * Every mielin command extends this. It gives:
 * - `--json`: the command's return value is printed as JSON, and so are errors (beside the
 *   partial result an error may carry);
 * - errors as `MielinError`s: message, `Code:` and `Try this:`, with a documented exit code;
 * - `this.signal`: aborted on the first Ctrl-C (or SIGTERM, as `kill PID` sends) so long work
 *   stops cleanly; a second Ctrl-C exits at once with 130.
 */

/**
 * A Ctrl-C in a terminal reaches both the Node-version wrapper (bin/node-version.js) and this
 * process, and the wrapper forwards it too, for a `kill -INT` aimed at the wrapper alone. One
 * that follows the first this soon is the same Ctrl-C, not a second one.
 */
const SAME_SIGNAL_MS = 500
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  private readonly abortController = new AbortController()
  private firstSignalAt = 0
  private readonly onSigint = (): void => {
    if (this.abortController.signal.aborted) {
      if (Date.now() - this.firstSignalAt < SAME_SIGNAL_MS) return
      process.exit(ExitCode.aborted)
    }
    this.firstSignalAt = Date.now()
    this.abortController.abort(new AbortedError('Interrupted (Ctrl-C).'))
  }

  private readonly onSigterm = (): void => {
    // a second SIGTERM while a clean stop hangs ends the process, as SIGTERM did before
    if (this.abortController.signal.aborted && Date.now() - this.firstSignalAt >= SAME_SIGNAL_MS) process.exit(143)
    if (this.abortController.signal.aborted) return
    this.firstSignalAt = Date.now()
    this.abortController.abort(new AbortedError('Stopped (SIGTERM).'))
  }

  /** Aborted on Ctrl-C; pass it to every runtime call. */
  protected get signal (): AbortSignal { return this.abortController.signal }

  protected override async init (): Promise<void> {
    await super.init()
    process.on('SIGINT', this.onSigint)
    process.on('SIGTERM', this.onSigterm)
  }

  protected override async finally (err: Error | undefined): Promise<void> {
    process.off('SIGINT', this.onSigint)
    process.off('SIGTERM', this.onSigterm)
    await super.finally(err)
  }

  protected override async catch (err: Error & { oclif?: { exit?: number } }): Promise<void> {
    // oclif's --help/--version and this.exit() travel as ExitErrors: not failures of ours.
    if (err instanceof Errors.ExitError) throw err
    const error = toMielinError(err, this.id ?? '')
    process.exitCode = error.exitCode
    if (this.jsonEnabled()) {
      this.logJson({ ...partialResult(error), error: error.toJSON() })
      return
    }
    process.stderr.write(formatError(error))
    if (error.code === 'E_INTERNAL' && err.stack !== undefined) process.stderr.write(`${err.stack}\n`)
  }
}

/**
 * What a command got before it failed, when its error carries it (a `result` object, like
 * `agent list`'s agents of the nodes that answered): under --json it is printed beside the
 * error, `{ ...result, error }`, so a script reads both.
 */
function partialResult (error: MielinError): object {
  const result = (error as MielinError & { result?: unknown }).result
  return typeof result === 'object' && result !== null && !Array.isArray(result) ? result : {}
}

/** Human form of an error: what happened, its stable code, and how to fix it. */
export function formatError (error: MielinError): string {
  const lines = [`Error: ${error.message}`, `Code: ${error.code}`]
  for (const s of error.suggestions) lines.push(`Try this: ${s}`)
  return `${lines.join('\n')}\n`
}

/** Maps whatever was thrown to a MielinError, so every failure has a code and an exit code. */
export function toMielinError (err: unknown, commandId: string): MielinError {
  if (err instanceof MielinError) return err
  const help = `Run "mielin ${commandId.replaceAll(':', ' ')} --help" to see the flags and examples.`
  if (err instanceof Errors.CLIError && (err as Errors.CLIError & { parse?: unknown }).parse !== undefined) {
    // A flag parse error from oclif: unknown flag, bad option, missing argument.
    return new UsageError(err.message.replace(/\nSee more help with --help$/, ''), 'E_USAGE', { suggestions: [help], cause: err })
  }
  if (err instanceof Error && err.name === 'AbortError') return new AbortedError('Aborted.', { cause: err })
  const message = err instanceof Error ? err.message : String(err)
  return new MielinError(`Unexpected internal error: ${message}`, 'E_INTERNAL', {
    exitCode: ExitCode.internal,
    cause: err,
    suggestions: ['This is a bug in mielin. Re-run with DEBUG=mielin:* and report the output.']
  })
}
