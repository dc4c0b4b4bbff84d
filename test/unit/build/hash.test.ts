// The build hash decides "up to date": it must change with anything the component is made of.
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { buildHash, loadProject, scaffoldAgent } from '../../../src/runtime/build/index.js'

t.test('the hash follows sources, manifest and package files, not the output', async (t) => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-hash-'))
  t.teardown(() => rm(tmp, { recursive: true, force: true }))
  const { dir } = await scaffoldAgent({ name: 'h', cwd: tmp })
  const hash = async (): Promise<string> => await buildHash(await loadProject(dir))
  const first = await hash()
  t.match(first, /^[0-9a-f]{64}$/)
  t.equal(await hash(), first, 'stable')
  await mkdir(path.join(dir, 'dist'))
  await writeFile(path.join(dir, 'dist', 'h.wasm'), 'output')
  await writeFile(path.join(dir, 'README.md'), 'docs changed')
  t.equal(await hash(), first, 'dist/ and docs do not count')

  const seen = new Set([first])
  for (const [file, content] of [['src/agent.ts', '// edited\n'], ['src/util.ts', 'export const x = 1\n'], ['mielin.json', JSON.stringify({ name: 'h', version: '0.2.0' })], ['package.json', '{}']]) {
    await writeFile(path.join(dir, file), content)
    const h = await hash()
    t.notOk(seen.has(h), `${file} changes the hash`)
    seen.add(h)
  }
})
