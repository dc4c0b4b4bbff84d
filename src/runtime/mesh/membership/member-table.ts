/**
 * The member table and failure detector, as a pure state machine over a clock (tests drive
 * it with a fake one):
 *
 * ```
 *            no beat for suspectAfterMs          ping fails, or no beat for deadAfterMs
 *   alive ─────────────────────────────▶ suspect ─────────────────────────────────────▶ dead
 *     ▲                                     │                                             │
 *     └──────────── a newer beat ◀──────────┴─────────────────────────────────────────────┘
 *   any ── a beat with leaving: true ──▶ left      (a later run of the node joins again)
 * ```
 *
 * Detection only says how fast a node is *declared* gone, never that it is safe to act as if
 * it were: a suspect may be only slow, and a dead one may come back (then it is alive again).
 */
import type { Heartbeat } from './heartbeat.js'

export type MemberState = 'alive' | 'suspect' | 'dead' | 'left'

export interface Member extends Omit<Heartbeat, 'leaving'> {
  state: MemberState
  /** This node itself. */
  self: boolean
  /** Our clock (ms since the epoch) when its latest beat arrived. */
  lastHeardAt: number
  /** Our clock when it entered its current state. */
  since: number
}

export type MembershipEvent =
  | { name: 'mesh:peer:joined', member: Member }
  | { name: 'mesh:peer:suspect', member: Member }
  | { name: 'mesh:peer:dead', member: Member }
  | { name: 'mesh:peer:alive', member: Member }
  | { name: 'mesh:peer:left', member: Member }

export interface MemberTableInit {
  /** @default 3000 */
  suspectAfterMs?: number
  /** @default 6000 */
  deadAfterMs?: number
  /** Dead and left members are dropped from the table after this long. @default 600000 */
  forgetAfterMs?: number
  now?: () => number
}

const newer = (a: Heartbeat, b: { incarnation: number, seq: number }): boolean =>
  a.incarnation > b.incarnation || (a.incarnation === b.incarnation && a.seq > b.seq)

export class MemberTable {
  readonly suspectAfterMs: number
  readonly deadAfterMs: number
  readonly forgetAfterMs: number
  readonly #now: () => number
  readonly #members = new Map<string, Member>()
  #self?: Member

  constructor (init: MemberTableInit = {}) {
    this.suspectAfterMs = init.suspectAfterMs ?? 3000
    this.deadAfterMs = Math.max(init.deadAfterMs ?? 6000, this.suspectAfterMs)
    this.forgetAfterMs = init.forgetAfterMs ?? 600_000
    this.#now = init.now ?? Date.now
  }

  /** Records this node's own latest beat. */
  setSelf (beat: Heartbeat): void {
    const now = this.#now()
    this.#self = { ...strip(beat), state: beat.leaving === true ? 'left' : 'alive', self: true, lastHeardAt: now, since: this.#self?.since ?? now }
  }

  get (peerId: string): Member | undefined {
    return peerId === this.#self?.peerId ? this.#self : this.#members.get(peerId)
  }

  /** Every member, this node first. Copies: changing them changes nothing. */
  members (): Member[] {
    const out = this.#self === undefined ? [] : [{ ...this.#self }]
    for (const m of this.#members.values()) out.push({ ...m })
    return out
  }

  /** Takes a verified heartbeat heard directly from its sender; returns what changed. */
  heard (beat: Heartbeat): MembershipEvent[] {
    if (beat.peerId === this.#self?.peerId) return []
    const now = this.#now()
    const m = this.#members.get(beat.peerId)
    if (m !== undefined && !newer(beat, m)) return [] // a replay or a reordered old beat
    if (beat.leaving === true) {
      if (m === undefined || m.state === 'left') return []
      const left: Member = { ...m, ...strip(beat), state: 'left', lastHeardAt: now, since: now }
      this.#members.set(beat.peerId, left)
      return [{ name: 'mesh:peer:left', member: { ...left } }]
    }
    if (m === undefined || (m.state === 'left' && beat.incarnation > m.incarnation)) {
      const joined: Member = { ...strip(beat), state: 'alive', self: false, lastHeardAt: now, since: now }
      this.#members.set(beat.peerId, joined)
      return [{ name: 'mesh:peer:joined', member: { ...joined } }]
    }
    if (m.state === 'left') return [] // a straggler from before it left
    const back = m.state !== 'alive'
    const updated: Member = { ...m, ...strip(beat), state: 'alive', lastHeardAt: now, since: back ? now : m.since }
    this.#members.set(beat.peerId, updated)
    return back ? [{ name: 'mesh:peer:alive', member: { ...updated } }] : []
  }

  /** Lets time pass: returns what changed and the newly suspect members to ping. */
  tick (): { events: MembershipEvent[], ping: string[] } {
    const now = this.#now()
    const events: MembershipEvent[] = []
    const ping: string[] = []
    for (const [id, m] of this.#members) {
      const silent = now - m.lastHeardAt
      if ((m.state === 'dead' || m.state === 'left') && now - m.since > this.forgetAfterMs) {
        this.#members.delete(id)
      } else if ((m.state === 'alive' || m.state === 'suspect') && silent > this.deadAfterMs) {
        events.push(this.#set(m, 'dead', now))
      } else if (m.state === 'alive' && silent > this.suspectAfterMs) {
        events.push(this.#set(m, 'suspect', now))
        ping.push(id)
      }
    }
    return { events, ping }
  }

  /** A suspect did not answer a ping: it is dead. */
  pingFailed (peerId: string): MembershipEvent[] {
    const m = this.#members.get(peerId)
    if (m?.state !== 'suspect') return []
    return [this.#set(m, 'dead', this.#now())]
  }

  #set (m: Member, state: 'suspect' | 'dead', now: number): MembershipEvent {
    const next: Member = { ...m, state, since: now }
    this.#members.set(m.peerId, next)
    return { name: state === 'dead' ? 'mesh:peer:dead' : 'mesh:peer:suspect', member: { ...next } }
  }
}

function strip (beat: Heartbeat): Omit<Heartbeat, 'leaving'> {
  const { leaving: _leaving, ...rest } = beat
  return rest
}
