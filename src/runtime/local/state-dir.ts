import path from 'node:path'
import { findProjectDir } from '../build/index.js'

/**
 * Where `mielin agent run` keeps its node's state when not told: `.mielin/local` in the
 * agent's project (the folder of its mielin.json, found up from the first file), else in the
 * project around `cwd`, else in `cwd`. Two projects with agents of the same name then keep
 * separate state, and a project's state stays beside it (its .gitignore leaves .mielin/ out).
 */
export function projectStateDir (files: readonly string[], cwd: string): string {
  const first = files[0]
  const project = (first === undefined ? undefined : findProjectDir(path.dirname(path.resolve(cwd, first)))) ?? findProjectDir(cwd)
  return path.join(project ?? path.resolve(cwd), '.mielin', 'local')
}
