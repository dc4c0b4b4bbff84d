/**
 * `<dataDir>/node.pid`: the PID of the process that has the data dir open, so that a second
 * one is told who holds it. LevelDB's own lock on the datastore decides who may open it (the
 * kernel drops it when the holder dies, so a crash leaves nothing stale to clean up); this
 * file only names the holder. Written once the datastore is open, removed when it closes.
 */
import { randomBytes } from 'node:crypto'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { ExitCode, MielinError } from '../errors.js'

export const PID_FILE = 'node.pid'

/** Another live process has this data dir open (a node, or `agent run`). */
export class DataDirInUseError extends MielinError {
  static override readonly defaultCode: string = 'E_DATA_DIR_IN_USE'
  static override readonly defaultExitCode: number = ExitCode.failure
}

/** Names this process as the data dir's holder (owner-only, atomic). */
export async function writePidFile (dataDir: string): Promise<void> {
  const file = path.join(dataDir, PID_FILE)
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(tmp, `${process.pid}\n`, { mode: 0o600 })
  await rename(tmp, file)
}

/** Removes the PID file if it still names this process (a newer holder keeps its own). */
export async function removePidFile (dataDir: string): Promise<void> {
  const file = path.join(dataDir, PID_FILE)
  if (await readPid(file) === process.pid) await rm(file, { force: true })
}

/**
 * The PID the file names, if it names a live process that is mielin: after a crash the PID
 * can be reused by anything, which must not be blamed (nor offered to `kill`). Where the
 * system does not show command lines, a live PID is taken at its word.
 */
export async function livePidOf (dataDir: string): Promise<number | undefined> {
  const pid = await readPid(path.join(dataDir, PID_FILE))
  if (pid === undefined || !isAlive(pid)) return undefined
  const command = await commandOf(pid)
  return command === undefined || /mielin|bin\/(run|dev)\.js/.test(command) || pid === process.pid ? pid : undefined
}

async function readPid (file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '')
  const pid = Number(text.trim())
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0) // signal 0: checks only
    return true
  } catch (err) {
    // EPERM: it exists but belongs to another user
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The command line of a process, where the system shows it (Linux /proc); undefined elsewhere. */
async function commandOf (pid: number): Promise<string | undefined> {
  const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
  const args = raw.split('\0').filter((a) => a !== '')
  return args.length === 0 ? undefined : args.join(' ')
}

/** The error for a data dir that process `pid` holds: who it is, and how to stop it. */
export async function dataDirInUse (dataDir: string, pid: number, cause?: unknown): Promise<DataDirInUseError> {
  if (pid === process.pid) {
    return new DataDirInUseError(`This process already has data dir ${dataDir} open.`, undefined, {
      cause,
      suggestions: ['Stop the node that uses it before opening it again, or give the second one its own data dir.']
    })
  }
  const command = await commandOf(pid)
  const meshNode = command === undefined || /\bmesh start\b/.test(command)
  return new DataDirInUseError(`A mielin node is already running with data dir ${dataDir}: PID ${pid}${command === undefined ? '' : ` (${command})`}.`, undefined, {
    cause,
    suggestions: [
      ...(meshNode ? [`Use that node (mielin mesh status --data-dir ${dataDir}), or stop it: mielin mesh leave --data-dir ${dataDir}`] : []),
      `Stop the process: kill ${pid}`,
      'Or give this one a data dir of its own: --data-dir DIR'
    ]
  })
}
