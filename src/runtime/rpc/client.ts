import type { Channel } from './channel.js'
import { StreamClosedError } from './errors.js'

export interface RpcClientOptions {
  /** Sent with every request, for servers that check one. @default none */
  token?: string
  /** How long a call may wait for its answer, in ms; 0 waits as long as the method takes. @default 0 */
  callTimeoutMs?: number
  /** What a caller gets when the connection is gone (a message that names the node). @default the StreamClosedError */
  closed?: (err: StreamClosedError) => Error
}

/**
 * Calls methods by name on a channel (./methods.ts serves them on the other side), the same
 * over the local control socket and over libp2p.
 */
export class RpcClient {
  readonly channel: Channel
  readonly #options: RpcClientOptions

  constructor (channel: Channel, options: RpcClientOptions = {}) {
    this.channel = channel
    this.#options = options
  }

  /** Calls a method; resolves to its result or rejects with the MielinError the node sent (or a timeout after `callTimeoutMs`). */
  async call<T = unknown> (method: string, params: unknown = {}, options: { signal?: AbortSignal } = {}): Promise<T> {
    try {
      return await this.channel.request<T>(this.#body(method, params), { signal: options.signal, timeoutMs: this.#options.callTimeoutMs ?? 0 })
    } catch (err) {
      throw this.#map(err)
    }
  }

  /**
   * Runs a streaming method and yields its events. Breaking out of the loop cancels it on the
   * node; so does aborting the signal, which also throws an AbortedError.
   */
  async * stream<T = unknown> (method: string, params: unknown = {}, options: { signal?: AbortSignal } = {}): AsyncGenerator<T, void, undefined> {
    try {
      yield * this.channel.stream<T>(this.#body(method, params), { signal: options.signal })
    } catch (err) {
      throw this.#map(err)
    }
  }

  /** Closes the connection; pending calls fail. */
  async close (): Promise<void> {
    await this.channel.close()
  }

  #body (method: string, params: unknown): object {
    return { method, params: params ?? {}, ...(this.#options.token !== undefined ? { token: this.#options.token } : {}) }
  }

  #map (err: unknown): unknown {
    return err instanceof StreamClosedError && this.#options.closed !== undefined ? this.#options.closed(err) : err
  }
}
