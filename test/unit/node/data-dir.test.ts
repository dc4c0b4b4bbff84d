// A data dir inside a git working tree that would commit it (its cluster secret and keys) is
// found, with the tree's top folder; an ignored one, or one outside any tree, is not.
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { gitTreeExposing } from '../../../src/runtime/node/index.js'

const hasGit = (await execa('git', ['--version'], { reject: false })).exitCode === 0
const tmp = await realpath(await mkdtemp(path.join(os.tmpdir(), 'mielin-git-')))
t.teardown(() => rm(tmp, { recursive: true, force: true }))

t.test('inside a working tree: exposed unless .gitignore covers it', { skip: hasGit ? false : 'no git here' }, async (t) => {
  const repo = path.join(tmp, 'clone')
  await mkdir(repo)
  await execa('git', ['init', '-q'], { cwd: repo })
  for (const d of ['a', 'demo/a', 'nested/deeper/b']) await mkdir(path.join(repo, d), { recursive: true })
  t.equal(await gitTreeExposing(path.join(repo, 'a')), repo)
  t.equal(await gitTreeExposing(path.join(repo, 'nested/deeper/b')), repo, 'however deep')
  await writeFile(path.join(repo, '.gitignore'), '/demo/\nb/\n')
  t.equal(await gitTreeExposing(path.join(repo, 'demo/a')), undefined, 'under an ignored folder')
  t.equal(await gitTreeExposing(path.join(repo, 'nested/deeper/b')), undefined, 'ignored by a pattern')
  t.equal(await gitTreeExposing(path.join(repo, 'a')), repo, 'the others still are')
})

t.test('outside any working tree: not exposed', async (t) => {
  const alone = path.join(tmp, 'alone')
  await mkdir(alone)
  t.equal(await gitTreeExposing(alone), undefined)
})
