import type { Readable } from 'node:stream'

/**
 * Lines of a stream, as they arrive. (readline's async iterator lost lines here when the
 * consumer awaited slow work between them; reading chunks directly cannot.)
 */
export async function * linesOf (stream: Readable): AsyncIterable<string> {
  let rest = ''
  for await (const chunk of stream) {
    rest += String(chunk)
    let nl: number
    while ((nl = rest.indexOf('\n')) >= 0) {
      yield rest.slice(0, nl).replace(/\r$/, '')
      rest = rest.slice(nl + 1)
    }
  }
  if (rest !== '') yield rest
}
