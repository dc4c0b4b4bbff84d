import { createRequire } from 'node:module'

/**
 * A fix for xsalsa20 1.2 (the stream cipher behind @libp2p/pnet). Each cipher keeps a view
 * of the shared WebAssembly memory; when one cipher grows that memory, the other ciphers'
 * views are detached (length 0), and their next update "grows" the memory by their whole
 * input again. A node with several connections then reaches the 64 MiB maximum within
 * minutes and crashes ("WebAssembly.Memory.grow(): Maximum memory size exceeded").
 * Refreshing a detached view first (realloc(0) grows by nothing and re-reads the buffer)
 * keeps the memory at the size the largest chunk needs.
 */
interface CipherInternals { _memory: Uint8Array, realloc: (size: number) => void, update: (input: Uint8Array, output: Uint8Array) => void, __mielinFixed?: true }

export function fixXsalsa20 (): void {
  const require = createRequire(import.meta.url)
  const pnetRequire = createRequire(require.resolve('@libp2p/pnet'))
  const xsalsa20 = pnetRequire('xsalsa20') as (nonce: Uint8Array, key: Uint8Array) => { _xor: CipherInternals, finalize: () => void }
  const probe = xsalsa20(new Uint8Array(24), new Uint8Array(32))
  const proto = Object.getPrototypeOf(probe._xor) as CipherInternals
  probe.finalize()
  if (proto.__mielinFixed === true || typeof proto.realloc !== 'function') return // fixed already, or the JS fallback
  const update = proto.update
  proto.update = function (this: CipherInternals, input, output) {
    if (this._memory.byteLength === 0) this.realloc(0)
    update.call(this, input, output)
  }
  proto.__mielinFixed = true
}
