// Finding who holds a port from /proc: the socket tables parsed as the kernel writes them,
// then real sockets of this process found by port, TCP and UDP.
import dgram from 'node:dgram'
import { existsSync } from 'node:fs'
import net from 'node:net'
import t from 'tap'
import { findPortHolder, parseProcNet, socketInode } from '../../../src/runtime/mesh/port-holder.js'

// /proc/net/tcp of a machine where uid 1000 listens on 0.0.0.0:9001 and has a connection from it
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:2329 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 52117 1 0000000000000000 100 0 0 10 0
   1: 0100007F:2329 0100007F:B0F2 01 00000000:00000000 00:00000000 00000000  1000        0 52190 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1211 1 0000000000000000 100 0 0 10 0
`
// /proc/net/udp6 with a QUIC socket of root on [::]:9001
const UDP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  512: 00000000000000000000000000000000:2329 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 61234 2 0000000000000000 0
`

t.test('the sockets bound to a port: listening TCP, bound UDP, not connections', async (t) => {
  t.same(parseProcNet(TCP, 9001, 'tcp'), [{ inode: 52117, uid: 1000 }])
  t.same(parseProcNet(TCP, 631, 'tcp'), [{ inode: 1211, uid: 0 }])
  t.same(parseProcNet(TCP, 9002, 'tcp'), [])
  t.same(parseProcNet(UDP6, 9001, 'udp'), [{ inode: 61234, uid: 0 }])
  t.same(parseProcNet('', 9001, 'udp'), [])
  t.equal(socketInode('socket:[52117]'), 52117)
  t.equal(socketInode('/dev/null'), undefined)
})

t.test('a TCP server and a UDP socket of this process are found, with its command line', { skip: existsSync('/proc/net/tcp') ? false : 'no /proc here' }, async (t) => {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  const tcpPort = (server.address() as net.AddressInfo).port
  const holder = await findPortHolder(tcpPort, ['tcp'])
  t.equal(holder?.pid, process.pid)
  t.equal(holder?.uid, process.getuid?.())
  t.equal(holder?.argv?.[0], process.execPath)
  t.equal(holder?.cwd, process.cwd())

  const udp = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve))
  t.teardown(() => { udp.close() })
  t.equal((await findPortHolder(udp.address().port, ['tcp', 'udp']))?.pid, process.pid)
  t.equal(await findPortHolder(udp.address().port, ['tcp']), undefined, 'only the protocols asked about')
})
