// Where `mielin agent run` keeps its state when not told: in the agent's project, so that two
// projects with agents of the same name never share it.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { projectStateDir } from '../../../src/runtime/local/index.js'

const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-state-dir-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))
const project = async (name: string): Promise<string> => {
  const dir = path.join(tmp, name)
  await mkdir(path.join(dir, 'dist'), { recursive: true })
  await writeFile(path.join(dir, 'mielin.json'), '{}')
  return dir
}
const a = await project('a')
const b = await project('b')
const loose = path.join(tmp, 'loose')
await mkdir(path.join(loose, 'deep'), { recursive: true })

t.test('the project of the first file, found from its folder up', async (t) => {
  t.equal(projectStateDir(['dist/hello.wasm'], a), path.join(a, '.mielin', 'local'), 'run inside the project')
  t.equal(projectStateDir(['a/dist/hello.wasm', 'b/dist/relay.wasm'], tmp), path.join(a, '.mielin', 'local'), 'run from beside it: the first file\'s')
  t.equal(projectStateDir([path.join(b, 'dist', 'hello.wasm')], path.join(a, 'dist')), path.join(b, '.mielin', 'local'), 'another project\'s agent keeps its state in that project')
})

t.test('no file in a project: the project around the current folder, else the folder itself', async (t) => {
  t.equal(projectStateDir([], path.join(a, 'dist')), path.join(a, '.mielin', 'local'), 'no files: the project this folder is in')
  t.equal(projectStateDir([path.join(loose, 'x.wasm')], b), path.join(b, '.mielin', 'local'))
  t.equal(projectStateDir(['x.wasm'], path.join(loose, 'deep')), path.join(loose, 'deep', '.mielin', 'local'), 'outside any project: where the command runs')
})
