import { randomBytes } from 'node:crypto'
import { chmod, link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'

/** Owner read/write only: keys and the cluster secret. */
export const SECRET_MODE = 0o600

/** Creates the data dir owner-only when missing (an existing dir keeps its mode). */
export async function ensureDataDir (dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
}

async function writeTemp (file: string, data: Uint8Array | string): Promise<string> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  // The mode applies at creation, so the secret is never readable by others, even briefly;
  // chmod as well because a umask could only have narrowed it further, never widened it.
  await writeFile(tmp, data, { mode: SECRET_MODE, flag: 'wx' })
  await chmod(tmp, SECRET_MODE)
  return tmp
}

/** Writes a 0600 file atomically (readers see the old or the new content, never half). */
export async function writeSecretFile (file: string, data: Uint8Array | string): Promise<void> {
  await ensureDataDir(path.dirname(file))
  const tmp = await writeTemp(file, data)
  try {
    await rename(tmp, file)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}

/**
 * Writes a 0600 file only if none exists, atomically: of two processes racing, exactly one
 * wins and the other gets false (and should read the winner's file).
 */
export async function createSecretFile (file: string, data: Uint8Array | string): Promise<boolean> {
  await ensureDataDir(path.dirname(file))
  const tmp = await writeTemp(file, data)
  try {
    await link(tmp, file)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  } finally {
    await rm(tmp, { force: true })
  }
}

/** The file's bytes, or undefined when it does not exist. */
export async function readIfExists (file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}
