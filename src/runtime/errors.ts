/**
 * Errors people can act on. Every failure that a user can cause or fix is a `MielinError`
 * with a stable `code`, a message that says what happened, `suggestions` that say how to
 * fix it, and the process exit code the CLI uses for it. Subsystems subclass it in their
 * own `errors.ts`.
 *
 * Exit codes (documented in the README):
 * - 1   the command failed for a reason not listed below
 * - 2   usage: a wrong flag, argument or value (`E_USAGE`, `E_INVALID_ARG`)
 * - 3   invalid input: a file that is not what it should be (`E_MODEL_INVALID`, `E_WASM_INVALID`, `E_NOT_FOUND`)
 * - 4   unavailable: something needed is not installed or not reachable (`E_ENGINE_UNAVAILABLE`)
 * - 5   denied: a capability or quota refused the operation (`E_CAP_DENIED`, `E_QUOTA`)
 * - 70  an internal bug (`E_INTERNAL`): please report it
 * - 130 aborted with Ctrl-C (`E_ABORTED`)
 */
export const ExitCode = {
  failure: 1,
  usage: 2,
  invalidInput: 3,
  unavailable: 4,
  denied: 5,
  internal: 70,
  aborted: 130
} as const

export interface MielinErrorOptions {
  /** Ways to fix the problem, shown as "Try this:". */
  suggestions?: string[]
  /** The error that caused this one. */
  cause?: unknown
  /** Process exit code; defaults to the class's own. */
  exitCode?: number
}

export class MielinError extends Error {
  static readonly defaultCode: string = 'E_FAILURE'
  static readonly defaultExitCode: number = ExitCode.failure
  readonly code: string
  readonly exitCode: number
  readonly suggestions: string[]

  constructor (message: string, code?: string, options: MielinErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    const ctor = this.constructor as typeof MielinError
    this.name = ctor.name
    this.code = code ?? ctor.defaultCode
    this.exitCode = options.exitCode ?? ctor.defaultExitCode
    this.suggestions = options.suggestions ?? []
  }

  /** The fields a `--json` caller gets. */
  toJSON (): { code: string, message: string, suggestions: string[], exitCode: number } {
    return { code: this.code, message: this.message, suggestions: this.suggestions, exitCode: this.exitCode }
  }
}

/** A wrong flag, argument or value. */
export class UsageError extends MielinError {
  static override readonly defaultCode: string = 'E_USAGE'
  static override readonly defaultExitCode: number = ExitCode.usage
}

/** A value outside what is allowed; lists the valid choices when there are some. */
export class InvalidArgumentError extends MielinError {
  static override readonly defaultCode: string = 'E_INVALID_ARG'
  static override readonly defaultExitCode: number = ExitCode.usage

  static choice (what: string, got: string, valid: readonly string[]): InvalidArgumentError {
    return new InvalidArgumentError(`Unknown ${what} "${got}". Valid ${what}s: ${valid.join(', ')}.`, undefined, {
      suggestions: [`Use one of: ${valid.join(', ')}`]
    })
  }
}

/** A file that is missing or not what it should be. */
export class InvalidInputError extends MielinError {
  static override readonly defaultCode: string = 'E_INVALID_INPUT'
  static override readonly defaultExitCode: number = ExitCode.invalidInput
}

/** Something needed is not installed or cannot be reached. */
export class UnavailableError extends MielinError {
  static override readonly defaultCode: string = 'E_UNAVAILABLE'
  static override readonly defaultExitCode: number = ExitCode.unavailable
}

/** The operation was cancelled through its AbortSignal (Ctrl-C in the CLI). */
export class AbortedError extends MielinError {
  static override readonly defaultCode: string = 'E_ABORTED'
  static override readonly defaultExitCode: number = ExitCode.aborted

  constructor (message = 'Aborted.', options: MielinErrorOptions = {}) {
    super(message, undefined, options)
  }
}

/** Throws an AbortedError when the signal has fired; call first in every async API. */
export function throwIfAborted (signal?: AbortSignal): void {
  if (signal?.aborted === true) throw new AbortedError('Aborted.', { cause: signal.reason })
}

export function isMielinError (err: unknown): err is MielinError {
  return err instanceof MielinError
}
