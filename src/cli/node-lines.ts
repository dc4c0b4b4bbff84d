import type { MembershipEvent } from '../runtime/mesh/index.js'

/**
 * What `mesh start --json` prints while the node runs: one JSON object a line on stdout, so a
 * script reads each as it comes (`jq -c`, or split on newlines). Every line has `event` and
 * `time` (ISO 8601):
 *
 * ```
 * {"event":"started","name":"a","peerId":"12D3KooW…","addrs":["/ip4/127.0.0.1/tcp/41234/p2p/12D3KooW…",…],"time":…}
 * {"event":"joined","name":"b","peerId":"12D3KooW…","state":"alive","addrs":[…],"time":…}
 * {"event":"stopped","name":"a","peerId":"12D3KooW…","time":…}
 * ```
 * Membership lines are `joined`, `suspect`, `dead`, `alive` (back from suspect or dead) and
 * `left`, about the other nodes. An error, at start or later, is one line: `{"error":{…}}`.
 */

export interface StartedLine { event: 'started', name: string, peerId: string, addrs: string[], time: string }
export interface MemberLine { event: 'joined' | 'suspect' | 'dead' | 'alive' | 'left', name: string, peerId: string, state: string, addrs: string[], time: string }
export interface StoppedLine { event: 'stopped', name: string, peerId: string, time: string }
export type NodeLine = StartedLine | MemberLine | StoppedLine

const time = (at = new Date()): string => at.toISOString()

/** The first line: who the node is and where it listens (the ports it picked for `--bind HOST:0`). */
export function startedLine (node: { name: string, peerId: string, addrs: string[] }, at?: Date): StartedLine {
  return { event: 'started', name: node.name, peerId: node.peerId, addrs: node.addrs, time: time(at) }
}

/** A line for a change in another node's membership. */
export function memberLine (e: MembershipEvent, at?: Date): MemberLine {
  const m = e.member
  return { event: e.name.replace('mesh:peer:', '') as MemberLine['event'], name: m.name, peerId: m.peerId, state: m.state, addrs: m.addrs, time: time(at) }
}

/** The last line, once the node has stopped. */
export function stoppedLine (node: { name: string, peerId: string }, at?: Date): StoppedLine {
  return { event: 'stopped', name: node.name, peerId: node.peerId, time: time(at) }
}

/** One value as one line of JSON. */
export const jsonLine = (value: unknown): string => `${JSON.stringify(value)}\n`

/**
 * Writes the lines in order: membership changes that come while the node is still starting
 * (its first heartbeats can beat the end of its start) wait for the `started` line.
 */
export class NodeLineWriter {
  readonly #write: (text: string) => void
  #waiting: MemberLine[] | undefined = []

  constructor (write: (text: string) => void) {
    this.#write = write
  }

  started (node: { name: string, peerId: string, addrs: string[] }): void {
    this.#write(jsonLine(startedLine(node)))
    for (const line of this.#waiting ?? []) this.#write(jsonLine(line))
    this.#waiting = undefined
  }

  member (e: MembershipEvent): void {
    const line = memberLine(e)
    if (this.#waiting !== undefined) this.#waiting.push(line)
    else this.#write(jsonLine(line))
  }
}
