import path from 'node:path'
import { ExitCode, InvalidInputError, MielinError, UnavailableError } from '../errors.js'

const startHint = (dataDir: string): string => `Start one with \`mielin mesh start --bind 127.0.0.1:9000 --data-dir ${dataDir}\``

/** A node already serves this data dir's control socket. */
export class NodeRunningError extends MielinError {
  static override readonly defaultCode: string = 'E_NODE_RUNNING'

  static at (socketPath: string): NodeRunningError {
    const dataDir = path.dirname(socketPath)
    return new NodeRunningError(`A mielin node is already running with data dir ${dataDir} (it answers on ${socketPath}).`, undefined, {
      suggestions: ['Use that node (other mielin commands talk to it), or stop it first', 'Or start another node with its own --data-dir']
    })
  }
}

/** Nothing listens on the control socket: no node runs with this data dir. */
export class NodeNotRunningError extends UnavailableError {
  static override readonly defaultCode: string = 'E_NODE_NOT_RUNNING'

  static at (socketPath: string, cause?: unknown): NodeNotRunningError {
    const dataDir = path.dirname(socketPath)
    return new NodeNotRunningError(`No mielin node is running with data dir ${dataDir}.`, undefined, { cause, suggestions: [startHint(dataDir)] })
  }
}

/** The node closed the connection while requests were pending (it stopped, or crashed). */
export class ControlClosedError extends UnavailableError {
  static override readonly defaultCode: string = 'E_CONTROL_CLOSED'
}

/** The control socket belongs to another user. */
export class ControlDeniedError extends MielinError {
  static override readonly defaultCode: string = 'E_CONTROL_DENIED'
  static override readonly defaultExitCode: number = ExitCode.denied
}

/** The control socket path cannot be used: too long for a Unix socket, or taken by a file that is not a socket. */
export class ControlSocketPathError extends InvalidInputError {
  static override readonly defaultCode: string = 'E_CONTROL_SOCKET_PATH'
}
