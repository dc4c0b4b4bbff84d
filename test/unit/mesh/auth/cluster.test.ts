// Node identity and cluster files: created owner-only, reloaded byte for byte, never
// overwritten by accident; and the swarm key the private network is built from.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { preSharedKey } from '@libp2p/pnet'
import t from 'tap'
import {
  decodeJoinToken, initCluster, joinCluster, loadAdminKey, loadCluster, loadOrCreateIdentity, pskBytes, saveCluster
} from '../../../../src/runtime/mesh/auth/index.js'

const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-auth-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))
let n = 0
const dir = (): string => path.join(tmp, `d${++n}`)
const mode = async (file: string): Promise<number> => (await stat(file)).mode & 0o777

t.test('the identity is created 0600 on first use and the same key comes back', async (t) => {
  const d = dir()
  const key = await loadOrCreateIdentity(d)
  t.equal(key.type, 'Ed25519')
  t.equal(await mode(path.join(d, 'identity.key')), 0o600)
  t.equal(await mode(d), 0o700, 'a data dir it creates is owner-only')
  const again = await loadOrCreateIdentity(d)
  t.ok(again.equals(key))
  t.same(await readFile(path.join(d, 'identity.key')), Buffer.from(privateKeyToProtobuf(key)))
  t.equal(peerIdFromPrivateKey(again).toString(), peerIdFromPrivateKey(key).toString(), 'same peer id')
})

t.test('two processes creating the identity at once end up with one key', async (t) => {
  const d = dir()
  const keys = await Promise.all(Array.from({ length: 8 }, async () => await loadOrCreateIdentity(d)))
  for (const k of keys) t.ok(k.equals(keys[0]))
})

t.test('a corrupt identity.key is reported, not replaced', async (t) => {
  const d = dir()
  await loadOrCreateIdentity(d)
  await writeFile(path.join(d, 'identity.key'), 'garbage')
  await t.rejects(loadOrCreateIdentity(d), { code: 'E_CLUSTER_INVALID', exitCode: 3, suggestions: [/identity\.key/] })
  t.equal(await readFile(path.join(d, 'identity.key'), 'utf8'), 'garbage')
})

t.test('init writes cluster.json and admin.key 0600, and they load back identically', async (t) => {
  const d = dir()
  const bootstrap = ['/ip4/127.0.0.1/tcp/9000/p2p/12D3KooWJ8s5Ck5Hnh1q9VXfi1xpqBDUKNRyXSsYiGmgWVyzB6Tr']
  const init = await initCluster(d, { bootstrap, name: 'lab' })
  t.equal(init.clusterKey.byteLength, 32)
  t.equal(await mode(path.join(d, 'cluster.json')), 0o600)
  t.equal(await mode(path.join(d, 'admin.key')), 0o600)

  const config = await loadCluster(d)
  t.same(config, init.config)
  t.same(config.clusterKey, init.clusterKey)
  t.same(config.adminPublicKey, init.adminKey.publicKey.raw)
  t.same(config.bootstrap, bootstrap)
  t.equal(config.name, 'lab')
  const json = JSON.parse(await readFile(path.join(d, 'cluster.json'), 'utf8')) as { clusterKey: string, adminPublicKey: string }
  t.equal(Buffer.from(json.clusterKey, 'base64').byteLength, 32, 'clusterKey is base64 of 32 bytes')
  t.equal(Buffer.from(json.adminPublicKey, 'base64').byteLength, 32)
  t.ok((await loadAdminKey(d)).equals(init.adminKey))

  const fromToken = decodeJoinToken(init.joinToken)
  t.same(fromToken, { clusterKey: init.clusterKey, adminPublicKey: config.adminPublicKey, bootstrap, name: 'lab' })
})

t.test('init refuses to overwrite a cluster unless forced', async (t) => {
  const d = dir()
  const first = await initCluster(d)
  await t.rejects(initCluster(d), { code: 'E_CLUSTER_EXISTS', suggestions: [/--data-dir/, /--force/] })
  t.same((await loadCluster(d)).clusterKey, first.clusterKey, 'the old cluster is untouched')
  t.ok((await loadAdminKey(d)).equals(first.adminKey), 'and so is its admin key')

  const second = await initCluster(d, { force: true })
  t.notSame(second.clusterKey, first.clusterKey)
  t.same((await loadCluster(d)).clusterKey, second.clusterKey)
  t.ok((await loadAdminKey(d)).equals(second.adminKey))
})

t.test('a data dir without a cluster: E_NO_CLUSTER and E_NO_ADMIN_KEY say what to run', async (t) => {
  const d = dir()
  await t.rejects(loadCluster(d), {
    code: 'E_NO_CLUSTER', suggestions: ['mielin mesh init (first node) or mielin mesh join TOKEN (the others)']
  })
  await t.rejects(loadAdminKey(d), { code: 'E_NO_ADMIN_KEY', exitCode: 5 })
})

t.test('join writes the cluster from a token; another cluster needs force', async (t) => {
  const admin = await initCluster(dir(), { bootstrap: ['/ip4/10.0.0.1/tcp/9000'] })
  const d = dir()
  const config = await joinCluster(d, admin.joinToken)
  t.same(await loadCluster(d), config)
  t.same(config.clusterKey, admin.clusterKey)
  t.equal(await mode(path.join(d, 'cluster.json')), 0o600)
  await t.rejects(loadAdminKey(d), { code: 'E_NO_ADMIN_KEY' }, 'joining does not make an admin')
  await joinCluster(d, admin.joinToken)
  t.pass('joining the same cluster again is fine')

  const other = await initCluster(dir())
  await t.rejects(joinCluster(d, other.joinToken), { code: 'E_CLUSTER_EXISTS' })
  await joinCluster(d, other.joinToken, { force: true })
  t.same((await loadCluster(d)).clusterKey, other.clusterKey)
})

t.test('saveCluster replaces the file atomically, still 0600', async (t) => {
  const d = dir()
  const { config } = await initCluster(d)
  await saveCluster(d, { ...config, bootstrap: ['/dns4/a.example/tcp/9000'] })
  t.same((await loadCluster(d)).bootstrap, ['/dns4/a.example/tcp/9000'])
  t.equal(await mode(path.join(d, 'cluster.json')), 0o600)
})

t.test('a damaged cluster.json is E_CLUSTER_INVALID with a fix', async (t) => {
  const d = dir()
  const { config } = await initCluster(d)
  await writeFile(path.join(d, 'cluster.json'), '{ nope')
  await t.rejects(loadCluster(d), { code: 'E_CLUSTER_INVALID', suggestions: [/mesh join/] })
  await writeFile(path.join(d, 'cluster.json'), JSON.stringify({ clusterKey: 'c2hvcnQ=', adminPublicKey: Buffer.from(config.adminPublicKey).toString('base64'), bootstrap: [] }))
  await t.rejects(loadCluster(d), { code: 'E_CLUSTER_INVALID', message: /clusterKey/ })
})

t.test('pskBytes is the swarm key text @libp2p/pnet accepts', async (t) => {
  const key = new Uint8Array(32).map((_, i) => i)
  const psk = pskBytes(key)
  t.equal(new TextDecoder().decode(psk), `/key/swarm/psk/1.0.0/\n/base16/\n${Buffer.from(key).toString('hex')}`)
  t.equal(psk.byteLength, 95, 'the size generateKey writes')
  const components = { logger: { forComponent: () => Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false }) } }
  // The factory's type hides the components argument the libp2p node passes it.
  const protector = (init: { psk: Uint8Array }): unknown => (preSharedKey(init) as (c: unknown) => unknown)(components)
  t.doesNotThrow(() => protector({ psk }))
  t.throws(() => protector({ psk: new TextEncoder().encode('not a swarm key') }), 'pnet does check the format')
  t.throws(() => pskBytes(new Uint8Array(16)), { code: 'E_CLUSTER_INVALID' })
})

t.test('a cluster.json that is not valid says so, and how to rewrite it with commands that exist', async (t) => {
  const d = dir()
  await initCluster(d)
  await writeFile(path.join(d, 'cluster.json'), '{"clusterKey": 7}')
  await t.rejects(loadCluster(d), {
    code: 'E_CLUSTER_INVALID',
    message: /cluster\.json is not a valid cluster config/,
    suggestions: [new RegExp(`^Move it aside and join the cluster again to rewrite it: mv .*cluster\\.json .*cluster\\.json\\.bad && mielin mesh join TOKEN --data-dir ${d}$`)]
  })
})
