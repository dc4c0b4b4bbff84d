import type net from 'node:net'
import type { ByteDuplex, DuplexListener } from './duplex.js'

/**
 * A `net.Socket` as a ByteDuplex (the local control socket). `send` writes through the
 * socket's buffer and `needsDrain` says when it is full, as a libp2p stream does. Made with
 * the default `allowHalfOpen: false`, a socket whose peer ends its side ends ours too, so a
 * client that hangs up closes the connection (and aborts what it asked for).
 */
export function socketDuplex (socket: net.Socket, label: string): ByteDuplex {
  let resetBy: Error | undefined
  return {
    label,
    get writable () { return !socket.destroyed && socket.writable },
    get needsDrain () { return socket.writableNeedDrain },
    send: (bytes) => {
      if (socket.destroyed || !socket.writable) throw new Error('the socket is closed for writing')
      socket.write(bytes)
    },
    onDrain: async () => {
      if (!socket.writableNeedDrain || socket.destroyed) return
      await new Promise<void>((resolve) => {
        const done = (): void => {
          socket.off('drain', done)
          socket.off('close', done)
          resolve()
        }
        socket.on('drain', done)
        socket.on('close', done)
      })
    },
    pause: () => { socket.pause() },
    resume: () => { if (!socket.destroyed) socket.resume() },
    close: async (options) => {
      if (socket.destroyed) return
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
      const onAbort = (): void => { socket.destroy() }
      options?.signal?.addEventListener('abort', onAbort, { once: true })
      socket.end()
      await closed
      options?.signal?.removeEventListener('abort', onAbort)
    },
    abort: (err) => {
      resetBy ??= err
      socket.destroy()
    },
    listen: (l: DuplexListener) => {
      socket.on('data', (chunk: Buffer) => { l.data(chunk) })
      socket.on('end', () => { l.end() })
      // 'error' is always followed by 'close': remember it, report it there
      socket.on('error', (err) => { resetBy ??= err })
      socket.on('close', () => { l.close(resetBy) })
    }
  }
}
