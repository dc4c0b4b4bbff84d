// A component sent from afar goes up in chunks under the control frame limit and comes out
// whole on the node, to the connection that sent it only; sizes and half-sent uploads are
// refused with what to do.
import '../../helpers/esm-js-hook.js'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'

const { ComponentUploads, MAX_UPLOAD_BYTES, UPLOAD_CHUNK_BYTES, uploadComponent } = await import('../../../src/runtime/api/component-upload.js')
const { ControlClient, ControlServer, controlSocketPath } = await import('../../../src/runtime/control/index.js')

const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-upload-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))
const chunk = (bytes: Buffer, extra: object = {}): object => ({ size: bytes.length, data: bytes.toString('base64'), ...extra })

t.test('a component of several chunks crosses a real control connection whole', async (t) => {
  const uploads = new ComponentUploads()
  const taken: Uint8Array[] = []
  const server = new ControlServer({
    socketPath: controlSocketPath(tmp),
    handlers: {
      'agent.upload': (p, { peer }) => uploads.add(peer ?? '', p),
      take: (p: { upload: string }, { peer }) => { taken.push(uploads.take(peer ?? '', p.upload)); return {} }
    }
  })
  await server.start()
  t.teardown(() => server.stop())
  const client = await ControlClient.connect(controlSocketPath(tmp))
  t.teardown(() => client.close())
  // a built agent is ~12 MB; 2.5 chunks are enough to see the cut and the short last piece
  const bytes = randomBytes(Math.floor(UPLOAD_CHUNK_BYTES * 2.5))
  const id = await uploadComponent(client, bytes)
  t.equal(uploads.size, 1, 'held until the deploy takes it')
  await client.call('take', { upload: id })
  t.same(Buffer.from(taken[0]), bytes, 'the same bytes, in order')
  t.equal(uploads.size, 0, 'and forgotten once taken')
  await t.rejects(client.call('take', { upload: id }), { code: 'E_UPLOAD_INVALID', suggestions: ['Run the deploy again.'] }, 'taken once only')
})

t.test('an upload is for the connection that made it', async (t) => {
  const uploads = new ComponentUploads()
  t.teardown(() => { uploads.clear() })
  const bytes = randomBytes(10)
  const { upload } = uploads.add('operator-1', chunk(bytes))
  t.throws(() => uploads.take('operator-2', upload), { code: 'E_UPLOAD_INVALID' })
  t.throws(() => uploads.add('operator-2', chunk(bytes, { upload })), { code: 'E_UPLOAD_INVALID' })
  t.same(Buffer.from(uploads.take('operator-1', upload)), bytes, 'its owner still gets it whole')
})

t.test('too big, too much, or not finished: refused, with what to do', async (t) => {
  const uploads = new ComponentUploads()
  t.teardown(() => { uploads.clear() })
  t.throws(() => uploads.add('op', { size: MAX_UPLOAD_BYTES + 1, data: 'AAAA' }), {
    code: 'E_UPLOAD_TOO_BIG', exitCode: 3, message: /64\.0 MiB from afar/, suggestions: [/without --remote/]
  })
  const over = uploads.add('op', chunk(randomBytes(4), { size: 6 }))
  t.throws(() => uploads.add('op', chunk(randomBytes(4), { size: 6, upload: over.upload })), { code: 'E_UPLOAD_INVALID', message: /more than the 6 bytes/ })
  t.equal(uploads.size, 0, 'an upload that overflowed is dropped')
  const half = uploads.add('op', chunk(randomBytes(4), { size: 8 }))
  t.equal(half.received, 4)
  t.throws(() => uploads.take('op', half.upload), { code: 'E_UPLOAD_INVALID', message: /stopped at 4 of 8 bytes/ })
  t.throws(() => uploads.add('op', { size: 4, data: 'not base64!' }), { code: 'E_BAD_FRAME' })
  t.throws(() => uploads.add('op', { size: 4, data: randomBytes(UPLOAD_CHUNK_BYTES + 3).toString('base64') }), { code: 'E_BAD_FRAME' }, 'a chunk over its size')
})

t.test('a node holds a few uploads at once, then says to come back', async (t) => {
  const uploads = new ComponentUploads()
  t.teardown(() => { uploads.clear() })
  for (let i = 0; i < 4; i++) uploads.add(`op-${i}`, chunk(randomBytes(1), { size: 2 }))
  t.throws(() => uploads.add('op-5', chunk(randomBytes(1), { size: 2 })), { code: 'E_UPLOAD_BUSY', exitCode: 4 })
})

t.test('one peer holds one upload at a time: beginning another drops its unfinished one', async (t) => {
  const uploads = new ComponentUploads()
  t.teardown(() => { uploads.clear() })
  const first = uploads.add('op', chunk(randomBytes(1), { size: 2 }))
  for (let i = 0; i < 5; i++) uploads.add('op', chunk(randomBytes(1), { size: 2 }))
  t.equal(uploads.size, 1, 'a single peer cannot fill the node\'s slots')
  t.throws(() => uploads.take('op', first.upload), { code: 'E_UPLOAD_INVALID' }, 'its earlier upload is gone')
})
