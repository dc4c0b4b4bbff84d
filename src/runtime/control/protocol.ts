/**
 * Where the control socket lives, and how big its frames may be. What travels on it is the
 * RPC layer's protocol (src/runtime/rpc): length-prefixed JSON frames carrying calls,
 * streams and cancels, the same as between nodes; a frame that is not one closes the
 * connection it came on, and only that one.
 */
import path from 'node:path'

/** The control socket's file name in a data dir. */
export const CONTROL_SOCKET_FILE = 'control.sock'

/** Where the node with this data dir listens: `<dataDir>/control.sock`. */
export const controlSocketPath = (dataDir: string): string => path.join(dataDir, CONTROL_SOCKET_FILE)

/** The largest frame either side accepts: 8 MiB (a deploy carries the component inline). */
export const MAX_CONTROL_FRAME_BYTES = 8 * 1024 * 1024
