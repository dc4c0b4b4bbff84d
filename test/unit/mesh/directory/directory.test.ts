// The directory's compare-and-set fence, signed records, and its fallbacks, over an
// in-memory DHT that applies the same validator and selector as kad-dht does.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import t from 'tap'
import { DhtDirectory, selectRecord, signRecord, verifyRecord, recordKey } from '../../../../src/runtime/mesh/directory/index.js'
import { until } from '../../../helpers/until.js'

const key = await generateKeyPair('Ed25519')
const self = peerIdFromPrivateKey(key).toString()
const other = await generateKeyPair('Ed25519')
const otherId = peerIdFromPrivateKey(other).toString()

function memoryDht (failGets = false) {
  const records = new Map<string, Uint8Array[]>()
  return {
    records,
    async put (k: Uint8Array, v: Uint8Array) {
      await verifyRecord(k, v) // the DHT refuses invalid records
      const list = [...(records.get(Buffer.from(k).toString()) ?? []), v]
      records.set(Buffer.from(k).toString(), [list[selectRecord(k, list)]])
    },
    async get (k: Uint8Array) {
      const v = records.get(Buffer.from(k).toString())?.[0]
      if (failGets || v === undefined) throw new Error('not found')
      return v
    }
  }
}

t.test('compare-and-set fences stale epochs', async (t) => {
  const dht = memoryDht()
  const dir = new DhtDirectory({ self, privateKey: key, dht, askPeers: async () => undefined })
  const first = await dir.compareAndSet('hello', undefined, { node: self, epoch: 1 })
  t.match(first, { agent: 'hello', node: self, epoch: 1 })
  await t.rejects(dir.compareAndSet('hello', undefined, { node: self, epoch: 1 }), { code: 'E_EPOCH_CONFLICT' })
  await t.rejects(dir.compareAndSet('hello', 0, { node: self, epoch: 2 }), /is at epoch 1/)
  t.match(await dir.compareAndSet('hello', 1, { node: self, epoch: 2 }), { epoch: 2 })
  // the DHT put is in the background: wait for the epoch 2 record to land there
  const stored = async (): Promise<number | undefined> => {
    const value = dht.records.get(Buffer.from(recordKey('hello')).toString())?.[0]
    return value === undefined ? undefined : (await verifyRecord(recordKey('hello'), value)).epoch
  }
  await until('the epoch 2 record in the DHT', async () => await stored() === 2, 2000)
  const fresh = new DhtDirectory({ self, privateKey: key, dht, askPeers: async () => undefined })
  t.match(await fresh.get('hello'), { node: self, epoch: 2 }, 'another node reads it from the DHT')
})

t.test('records are signed: a forged or misfiled one is refused', async (t) => {
  const good = await signRecord({ agent: 'a', node: self, epoch: 3, ts: 1 }, key)
  t.match(await verifyRecord(recordKey('a'), good), { epoch: 3 })
  await t.rejects(verifyRecord(recordKey('b'), good), /another agent/)
  const forged = await signRecord({ agent: 'a', node: otherId, epoch: 9, ts: 1 }, key) // claims another node
  await t.rejects(verifyRecord(recordKey('a'), forged), /signature/)
  const enc = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v))
  await t.rejects(verifyRecord(recordKey('a'), enc({ agent: 'a', node: self, epoch: '3', ts: 1, sig: '' })), { code: 'E_BAD_FRAME', path: 'record.epoch' }, 'a malformed record names its bad field')
  await t.rejects(verifyRecord(recordKey('a'), enc(null)), { code: 'E_BAD_FRAME', path: 'record' })
  t.equal(selectRecord(recordKey('a'), [good, await signRecord({ agent: 'a', node: self, epoch: 4, ts: 0 }, key)]), 1, 'higher epoch wins')
})

t.test('when the DHT fails, peers are asked; gossip fills the cache', async (t) => {
  const dir = new DhtDirectory({ self, privateKey: key, dht: memoryDht(true), askPeers: async (agent) => agent === 'x' ? { agent: 'x', node: otherId, epoch: 5, ts: 1 } : undefined, dhtTimeoutMs: 100 })
  t.match(await dir.get('x'), { node: otherId, epoch: 5 })
  t.equal(await dir.get('y'), undefined)
  dir.learn({ agent: 'z', node: otherId, epoch: 2, ts: 5 })
  dir.learn({ agent: 'z', node: self, epoch: 1, ts: 9 }) // older epoch: ignored
  t.match(await dir.get('z'), { node: otherId, epoch: 2 })
})
