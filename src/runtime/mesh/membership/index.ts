/**
 * Membership: signed heartbeats over `/mielin/heartbeat/1.0.0`, a member table with a
 * failure detector (alive → suspect → dead, and back), graceful leave, and discovery of
 * members through relayed beats.
 *
 * @example
 * ```ts
 * const members = createMembership({ mesh }, { name: 'edge-1', hardware: { arch: 'x64', cores: 8 }, intervalMs: 1000 })
 * members.events.on((e) => console.error(e.name, e.member.name))   // mesh:peer:joined, :suspect, :dead, :alive, :left
 * await members.start()
 * members.members()   // [{ peerId, name, state: 'alive', self: true, load, … }, …]
 * await members.stop() // peers see mesh:peer:left
 * ```
 */
export { Membership, createMembership, type MembershipInit, type MembershipComponents } from './membership.js'
export { MemberTable, type Member, type MemberState, type MembershipEvent, type MemberTableInit } from './member-table.js'
export { HEARTBEAT_PROTOCOL, MAX_BEAT_BYTES, MAX_RELAY, heartbeatSchema, heartbeatFrameSchema, signedBeatSchema, signBeat, verifyBeat, type Heartbeat, type HeartbeatFrame, type Load, type SignedBeat } from './heartbeat.js'
export { EventBus } from '../../event-bus.js'
