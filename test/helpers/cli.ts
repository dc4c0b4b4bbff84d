import { fileURLToPath } from 'node:url'
import { execa } from 'execa'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

/**
 * Runs `mielin ARGS` as a user types it (bin/run.js, built dist/), never throwing on a
 * non-zero exit so tests can assert on it. Tests run under Node 22, so process.execPath is it.
 */
export interface CliResult { exitCode: number, stdout: string, stderr: string }

export async function mielin (args: string[], options: { cwd?: string, env?: Record<string, string>, timeout?: number } = {}): Promise<CliResult> {
  const r = await execa(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    // as typed on the PATH, whether the tests were started by `npm test` or `npx tap`
    // (under npx, npm_command=exec makes `new agent` suggest `npx mielin …`)
    env: { NO_COLOR: '1', npm_command: '', ...options.env },
    reject: false,
    timeout: options.timeout ?? 120_000
  })
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) }
}

/** The error a command prints on stdout under `--json`. */
export function jsonError (stdout: string): { code: string, message: string } {
  return (JSON.parse(stdout) as { error: { code: string, message: string } }).error
}
