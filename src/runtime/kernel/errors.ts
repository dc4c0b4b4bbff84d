import { ExitCode, InvalidInputError, MielinError, UnavailableError } from '../errors.js'

/** A capability the caller does not hold (or that was revoked). */
export class CapabilityDeniedError extends MielinError {
  static override readonly defaultCode: string = 'E_CAP_DENIED'
  static override readonly defaultExitCode: number = ExitCode.denied
}

/** A namespace quota (agents, memory, messages/s, CPU time) or an agent's memory limit. */
export class QuotaError extends MielinError {
  static override readonly defaultCode: string = 'E_QUOTA'
  static override readonly defaultExitCode: number = ExitCode.denied
}

/** The receiver's mailbox is full: back off and retry. */
export class MailboxFullError extends MielinError {
  static override readonly defaultCode: string = 'E_MAILBOX_FULL'
  static override readonly defaultExitCode: number = ExitCode.unavailable
}

export class AgentNotFoundError extends InvalidInputError {
  static override readonly defaultCode: string = 'E_AGENT_NOT_FOUND'
}

/** The agent returned an error, trapped, or missed its deadline. */
export class AgentFailedError extends MielinError {
  static override readonly defaultCode: string = 'E_AGENT_FAILED'
}

/** The agent cannot take messages right now (stopped, failed, migrating). */
export class AgentUnavailableError extends UnavailableError {
  static override readonly defaultCode: string = 'E_AGENT_UNAVAILABLE'
}

/** The text an agent sees for a host error: "E_CODE: message" (the SDK parses the code back). */
export const agentErrorText = (err: unknown): string =>
  err instanceof MielinError ? `${err.code}: ${err.message}` : `E_HOST: ${err instanceof Error ? err.message : String(err)}`

/** What a message gets when its agent trapped handling it, and why the agent restarts. */
export function trapOutcome (agent: string, memoryMb: number, trap: string): { error: MielinError, reason: string } {
  if (/memory limit reached|out of memory/i.test(trap)) {
    return {
      error: new QuotaError(`Agent "${agent}" ran out of memory at its ${memoryMb} MiB limit handling this message (${trap}).`, undefined, {
        suggestions: ['Keep less in memory, or raise limits.memoryMb in its mielin.json.']
      }),
      reason: `memory limit (${memoryMb} MiB) reached: ${trap}`
    }
  }
  return { error: new AgentFailedError(`Agent "${agent}" crashed handling this message: ${trap}.`), reason: `trapped: ${trap}` }
}

/** What a message gets when its agent ran past the deadline on it and was stopped. */
export const deadlineError = (agent: string, deadlineMs: number): AgentFailedError =>
  new AgentFailedError(`Agent "${agent}" did not finish this message within ${deadlineMs} ms and was stopped.`, 'E_DEADLINE', {
    suggestions: ['Make the handler faster, or raise limits.deadlineMs in its mielin.json.']
  })

/** What a queued message gets when its agent failed for good or was stopped before running it. */
export const notRunError = (agent: string, status: string): AgentUnavailableError =>
  new AgentUnavailableError(`Agent "${agent}" is ${status}; this message did not run.`, undefined, {
    suggestions: [`See why in \`mielin agent logs ${agent}\`, then deploy it again.`]
  })
