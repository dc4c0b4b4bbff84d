import { MielinError, UnavailableError } from '../errors.js'
import type { AgentList, UnreachableNode } from '../types/index.js'

/**
 * Some nodes of the cluster did not answer a cluster-wide question, so the answer is partial.
 * `result` holds what the others said: the CLI prints it, and under `--json` beside the error.
 */
export class NodesUnreachableError extends UnavailableError {
  static override readonly defaultCode: string = 'E_NODES_UNREACHABLE'
  readonly unreachable: UnreachableNode[]
  readonly result: AgentList

  constructor (result: AgentList) {
    const n = result.unreachable.length
    const lines = result.unreachable.map((u) => `  ${u.nodeName} (${u.node.slice(-8)}): ${u.error.message} [${u.error.code}]`)
    super(`${n === 1 ? '1 node' : `${n} nodes`} of the cluster did not answer; the list lacks ${n === 1 ? 'its' : 'their'} agents:\n${lines.join('\n')}`, undefined, {
      suggestions: ['mielin mesh peers   (which nodes are alive, and when each was last heard from)']
    })
    this.unreachable = result.unreachable
    this.result = result
  }
}

/** An agent id that another agent of the cluster already has: one id, one owner. */
export class AgentExistsError extends MielinError {
  static override readonly defaultCode: string = 'E_AGENT_EXISTS'
}
