// A node's data dir on disk: owner-only whatever the umask, and held by one process at a time,
// which a second one is told by PID; a holder that died leaves nothing in the way.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { DataDirInUseError, NodeStore, PID_FILE } from '../../../src/runtime/store/index.js'
import { ROOT } from '../../helpers/cli.js'
import { until } from '../../helpers/until.js'

const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-store-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))
let n = 0
const dir = (): string => path.join(tmp, `d${++n}`)
const mode = async (file: string): Promise<number> => (await stat(file)).mode & 0o777
const pidIn = async (d: string): Promise<string | undefined> => await readFile(path.join(d, PID_FILE), 'utf8').catch(() => undefined)

t.test('a new data dir is owner-only even under a umask that lets everyone read', async (t) => {
  const before = process.umask(0o000)
  t.teardown(() => { process.umask(before) })
  const d = dir()
  const store = await NodeStore.open(d)
  await store.putBlob('abc', new Uint8Array([1, 2, 3]))
  await store.kvSet('hello', 'k', '"v"')
  for (const p of ['', 'datastore', 'blobs']) t.equal(await mode(path.join(d, p)), 0o700, `${p || 'the data dir'} is 0700`)
  t.equal(await mode(path.join(d, 'blobs', 'abc.wasm')), 0o600, 'a component blob is 0600')
  t.equal(await mode(path.join(d, PID_FILE)), 0o600, 'the PID file is 0600')
  await store.close()
})

t.test('the PID file names the holder while the store is open, and goes when it closes', async (t) => {
  const d = dir()
  const store = await NodeStore.open(d)
  t.equal(await pidIn(d), `${process.pid}\n`)
  await t.rejects(NodeStore.open(d), { code: 'E_DATA_DIR_IN_USE', message: /This process already has data dir/ }, 'a second open in one process is refused')
  await store.close()
  t.equal(await pidIn(d), undefined, 'removed at close')
  const again = await NodeStore.open(d)
  t.equal(await pidIn(d), `${process.pid}\n`, 'and it opens again')
  await again.close()
})

t.test('another live process holding the data dir is named, with how to stop it', async (t) => {
  const d = dir()
  // a real second process that opens the store and waits
  const child = execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
    const { NodeStore } = await import(${JSON.stringify(path.join(ROOT, 'src/runtime/store/index.ts'))})
    await NodeStore.open(${JSON.stringify(d)})
    console.log('open')
    setInterval(() => {}, 1000)`], { reject: false, buffer: false })
  t.teardown(() => { child.kill('SIGKILL') })
  let out = ''
  child.stdout?.on('data', (b: Buffer) => { out += b.toString() })
  await until('the child to open the store', () => out.includes('open'), 30_000)
  const err = await NodeStore.open(d).then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof DataDirInUseError, String(err))
  const e = err as DataDirInUseError
  t.equal(e.code, 'E_DATA_DIR_IN_USE')
  t.match(e.message, `A mielin node is already running with data dir ${d}: PID ${child.pid}`)
  t.ok(e.suggestions.some((s) => s === `Stop the process: kill ${child.pid}`), e.suggestions.join('\n'))
  t.notOk(e.suggestions.some((s) => s.includes('mesh leave')), 'it is not a mesh node: no mesh leave')
  child.kill('SIGKILL')
  await child
  // the holder died without closing: its PID file stays, but nothing holds the store
  t.equal(await pidIn(d), `${child.pid}\n`)
  const store = await NodeStore.open(d)
  t.equal(await pidIn(d), `${process.pid}\n`, 'a dead holder\'s PID file is replaced')
  await store.close()
})

t.test('a PID file naming some live process does not lock out a free data dir', async (t) => {
  const d = dir()
  await (await NodeStore.open(d)).close()
  await writeFile(path.join(d, PID_FILE), `${process.ppid}\n`) // alive, but holds no lock
  const store = await NodeStore.open(d)
  t.equal(await pidIn(d), `${process.pid}\n`)
  await store.close()
})

t.test('a PID file naming a live process that is not mielin (a PID reused after a crash) blames nobody', async (t) => {
  const { livePidOf } = await import('../../../src/runtime/store/pid-file.js')
  const d = dir()
  const store = await NodeStore.open(d)
  await store.close()
  const other = execa('sleep', ['30'], { reject: false })
  t.teardown(() => { other.kill() })
  await writeFile(path.join(d, PID_FILE), `${other.pid ?? 0}\n`)
  t.equal(await livePidOf(d), undefined, 'sleep is alive, but it is not the holder')
  await writeFile(path.join(d, PID_FILE), `${process.pid}\n`)
  t.equal(await livePidOf(d), process.pid, 'this process is')
})
