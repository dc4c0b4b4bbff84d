/**
 * Waits for a condition that the system's own progress makes true (output lines, membership,
 * routing tables), polling every `everyMs`, and fails after `timeoutMs` saying what it waited
 * for. `what` may be a function, read when the wait fails (to show the latest output).
 */
export async function until (what: string | (() => string), cond: () => boolean | Promise<boolean>, timeoutMs = 8000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
