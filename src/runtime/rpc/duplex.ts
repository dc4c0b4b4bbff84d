import type { Uint8ArrayList } from 'uint8arraylist'

/**
 * The least a byte connection must do to carry RPC frames: send with back-pressure, read
 * with pause and resume, close politely or tear down, and say when it ends. A libp2p stream
 * (./libp2p-duplex.ts) and a `net.Socket` (./socket-duplex.ts) both fit behind it.
 */
export interface ByteDuplex {
  /** Names the connection in log lines: `/mielin/control/1.0.0 s-12`, a socket path. */
  readonly label: string
  /** Whether bytes can still be sent. */
  readonly writable: boolean
  /** Whether the connection holds enough unsent bytes that the sender should wait for `onDrain`. */
  readonly needsDrain: boolean
  /** Sends bytes; throws when the connection is closed for writing. */
  send: (bytes: Uint8Array) => void
  /** Resolves when the connection takes bytes again, or closes. */
  onDrain: () => Promise<void>
  /** Stops reading (the transport's own flow control then stops the sender). Idempotent. */
  pause: () => void
  /** Reads again after `pause`. Idempotent, and harmless on a closed connection. */
  resume: () => void
  /** Ends our writing side once what was sent has left; the other side may still write. */
  close: (options?: { signal?: AbortSignal }) => Promise<void>
  /** Tears the connection down now, both ways. */
  abort: (err: Error) => void
  /**
   * Subscribes, once, to what happens on the read side: each chunk as it comes; `end` when
   * the other side will send nothing more (it finished writing); `close` when the connection
   * is gone both ways, with the error when it was reset rather than closed.
   */
  listen: (listener: DuplexListener) => void
}

export interface DuplexListener {
  data: (chunk: Uint8Array | Uint8ArrayList) => void
  end: () => void
  close: (err?: Error) => void
}
