import { AbortedError } from '../errors.js'

/** Waits for `promise`, or rejects with AbortedError when `signal` fires first. */
export async function raceSignal<T> (promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return await promise
  if (signal.aborted) throw new AbortedError('Aborted.', { cause: signal.reason })
  let onAbort: (() => void) | undefined
  try {
    return await Promise.race([promise, new Promise<never>((_resolve, reject) => {
      onAbort = () => { reject(new AbortedError('Aborted.', { cause: signal.reason })) }
      signal.addEventListener('abort', onAbort, { once: true })
    })])
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort)
  }
}
