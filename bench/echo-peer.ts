// A bare js-libp2p node in its own process, with none of mielin's code: QUIC (the transport
// mielin nodes talk over), echoing length-prefixed messages on /bench/echo. It prints its
// multiaddr, then serves until killed. bench/mesh.ts measures the floor that the mesh's
// cross-node request/reply stands on with it.
import { quic } from '@chainsafe/libp2p-quic'
import { lpStream } from '@libp2p/utils'
import { createLibp2p } from 'libp2p'

export const ECHO_PROTOCOL = '/bench/echo/1.0.0'
export const quicNode = async (): Promise<Awaited<ReturnType<typeof createLibp2p>>> =>
  await createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/udp/0/quic-v1'] }, transports: [quic()] })

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  const node = await quicNode()
  await node.handle(ECHO_PROTOCOL, async (stream) => {
    const lp = lpStream(stream)
    try { for (;;) await lp.write(await lp.read()) } catch { /* the bench hung up */ }
  })
  console.log(node.getMultiaddrs()[0].toString())
}
