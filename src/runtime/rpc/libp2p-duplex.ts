import type { Stream } from '@libp2p/interface'
import type { ByteDuplex, DuplexListener } from './duplex.js'

/** A libp2p stream as a ByteDuplex (node-to-node calls, the control protocol from afar). */
export function libp2pDuplex (stream: Stream): ByteDuplex {
  return {
    label: `${stream.protocol ?? 'stream'} ${stream.id}`,
    get writable () { return stream.status === 'open' && stream.writeStatus === 'writable' },
    get needsDrain () { return stream.writableNeedsDrain },
    send: (bytes) => { stream.send(bytes) },
    onDrain: async () => { await stream.onDrain() },
    pause: () => { if (stream.readStatus === 'readable') stream.pause() },
    resume: () => {
      if (stream.readStatus !== 'paused') return
      try { stream.resume() } catch { /* closing meanwhile: nothing left to read */ }
    },
    close: async (options) => {
      try {
        await stream.close(options)
      } catch (err) {
        stream.abort(err as Error)
      }
    },
    abort: (err) => { stream.abort(err) },
    listen: (l: DuplexListener) => {
      stream.addEventListener('message', (evt) => { l.data(evt.data) })
      // 'end': the peer finished writing and everything it sent has been delivered
      stream.addEventListener('end', () => { l.end() })
      stream.addEventListener('close', (evt) => { l.close(evt.error ?? undefined) })
    }
  }
}

/** Whether `x` is a libp2p stream rather than a ByteDuplex already. */
export const isLibp2pStream = (x: ByteDuplex | Stream): x is Stream => typeof (x as Stream).addEventListener === 'function'
