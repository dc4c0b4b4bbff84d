import { UnavailableError } from '../errors.js'
import type { Member } from '../mesh/index.js'

/**
 * What happened to a node, in the words its errors and `agent list` use: left (on purpose) or
 * dead (heartbeats stopped). Nodes are named by their name.
 */

/** "40 s", "3 min", "2 h": how long ago, as a person says it. */
export function ago (ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 120) return `${s} s`
  if (s < 7200) return `${Math.round(s / 60)} min`
  return `${Math.round(s / 3600)} h`
}

/** Why a member that runs an agent cannot serve it now, or undefined when it can (alive or suspect). */
export function whyGone (member: Pick<Member, 'name' | 'state' | 'since' | 'lastHeardAt'>, now = Date.now()): { code: string, message: string } | undefined {
  if (member.state === 'left') return { code: 'E_NODE_LEFT', message: `node ${member.name} left ${ago(now - member.since)} ago` }
  if (member.state === 'dead') return { code: 'E_NODE_DEAD', message: `node ${member.name} died: no heartbeat for ${ago(now - member.lastHeardAt)}` }
  return undefined
}

/** The error for an agent whose node is gone: what happened, and what to do about it. */
export function agentOnGoneNode (agent: string, why: { code: string, message: string }): UnavailableError {
  return new UnavailableError(`Agent "${agent}" is unavailable: ${why.message}.`, why.code, {
    suggestions: [
      'Start that node again (mielin mesh start --data-dir DIR): its agents come back with their state.',
      `Or run new code under the id elsewhere: mielin agent deploy FILE --replace (the old state stays on that node).`
    ]
  })
}
