import os from 'node:os'
import path from 'node:path'
import { execa } from 'execa'

/**
 * Default data dirs under $MIELIN_HOME (default ~/.mielin): `local` for `mielin agent run`,
 * `node` for a mesh node. They differ so both can run at once (a data dir is locked by its
 * running node).
 */
export const defaultDataDir = (kind: 'local' | 'node' = 'local'): string => path.join(process.env.MIELIN_HOME ?? path.join(os.homedir(), '.mielin'), kind)

/**
 * The git working tree that would commit this data dir (its cluster secret, keys and agent
 * state): the tree's top folder when the dir is inside one that does not ignore it, else
 * undefined (ignored, not in a working tree, or no git on this machine). The dir must exist.
 */
export async function gitTreeExposing (dataDir: string): Promise<string | undefined> {
  const git = async (...args: string[]): Promise<{ exitCode?: number, stdout: string }> =>
    await execa('git', args, { cwd: dataDir, reject: false, timeout: 5000 })
  // 0: ignored; 1: in a working tree and not ignored; 128: not in one. No git: no exit code.
  const ignored = await git('check-ignore', '-q', `${path.resolve(dataDir)}${path.sep}`)
  if (ignored.exitCode !== 1) return undefined
  const top = await git('rev-parse', '--show-toplevel')
  return top.exitCode === 0 ? top.stdout.trim() : undefined
}
