// The loader's cache of transpiled components holds agents' code: owner-only, whatever the
// umask, and no temporary folder is left behind when two loads race to cache one component.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { ComponentLoader } from '../../../src/runtime/wasm/index.js'

const echo = await readFile(new URL('../../fixtures/agents/echo.wasm', import.meta.url))
const mode = async (p: string): Promise<number> => (await stat(p)).mode & 0o777

t.test('cached components are owner-only, and racing loads leave one entry and no temporary folder', async (t) => {
  const cacheDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'mielin-loader-')), 'cache')
  t.teardown(() => rm(path.dirname(cacheDir), { recursive: true, force: true }))
  const umask = process.umask(0)
  t.teardown(() => { process.umask(umask) })
  const [a, b] = await Promise.all([new ComponentLoader({ cacheDir }).load(echo), new ComponentLoader({ cacheDir }).load(echo)])
  t.equal(a.hash, b.hash)
  t.same(await readdir(cacheDir), [a.hash], 'one cache entry, no .tmp folder beside it')
  t.equal(await mode(path.join(cacheDir, a.hash)), 0o700)
  t.equal(await mode(a.gluePath), 0o600)
})
