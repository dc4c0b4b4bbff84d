import os from 'node:os'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { defaultLogger, type Logger } from '../../logger.js'
import type { Mesh } from '../mesh.js'
import type { ChannelContext, JsonValue } from '../wire/index.js'
import { EventBus } from '../../event-bus.js'
import { HEARTBEAT_PROTOCOL, MAX_RELAY, heartbeatFrameSchema, signBeat, verifyBeat, type Heartbeat, type HeartbeatFrame, type Load, type SignedBeat } from './heartbeat.js'
import { MemberTable, type Member, type MembershipEvent } from './member-table.js'

export interface MembershipInit {
  /** A name for people. @default the end of the peer id */
  name?: string
  /** Labels for placement (`zone: a`). @default {} */
  labels?: Record<string, string>
  /** A short hardware summary (arch, cores, memory, simd, gpu…). @default {} */
  hardware?: Record<string, JsonValue>
  /** Current load, sampled at each beat; missing fields come from the OS. */
  load?: () => Partial<Load>
  /** Extensions to publish in each beat (e.g. the agents this node runs). @default none */
  extra?: () => Record<string, JsonValue> | undefined
  /** Time between beats. @default 1000 */
  intervalMs?: number
  /** No beat for this long: suspect (and pinged). @default 3000 */
  suspectAfterMs?: number
  /** No beat for this long: dead. @default 6000 */
  deadAfterMs?: number
  /** How long the ping of a suspect may take. @default 1000 */
  pingTimeoutMs?: number
  /** Dial the nodes we learn of from relayed beats. @default true */
  dialLearned?: boolean
  /** How often a member's beat is relayed again to a peer that was already told. @default 30000 */
  retellMs?: number
  /** Dead and left members are dropped after this long. @default 600000 */
  forgetAfterMs?: number
}

export interface MembershipComponents {
  mesh: Mesh
  logger?: Logger
}

const RETRY_DIAL_MS = 5000

/**
 * Membership: pushes a signed heartbeat to every admitted peer each interval, keeps the
 * member table from the beats heard directly, runs the failure detector, and relays the
 * beats it holds so that members learn of each other (and dial each other) even when they
 * joined through different nodes. Relayed beats only serve discovery; a member's state
 * comes from its own beats.
 */
export class Membership {
  readonly events: EventBus<MembershipEvent>
  readonly #mesh: Mesh
  readonly #init: MembershipInit
  readonly #log: Logger
  readonly #table: MemberTable
  readonly #intervalMs: number
  readonly #incarnation = Date.now()
  readonly #latest = new Map<string, SignedBeat>() // the newest signed beat of each member heard directly
  readonly #told = new Map<string, Map<string, { key: string, at: number }>>() // peer -> origin -> what we relayed
  readonly #dialedAt = new Map<string, number>()
  readonly #pinging = new Set<string>()
  readonly #heartbeatListeners = new Set<(beat: Heartbeat) => void>()
  #seq = 0
  #timer?: NodeJS.Timeout
  #offPeer?: () => void
  #status: 'stopped' | 'started' = 'stopped'
  #own?: SignedBeat

  constructor (components: MembershipComponents, init: MembershipInit = {}) {
    this.#mesh = components.mesh
    this.#init = init
    this.#log = components.logger ?? defaultLogger('mesh:membership')
    this.#intervalMs = init.intervalMs ?? 1000
    this.#table = new MemberTable({ suspectAfterMs: init.suspectAfterMs, deadAfterMs: init.deadAfterMs, forgetAfterMs: init.forgetAfterMs })
    this.events = new EventBus((err) => { this.#log.error(`membership listener failed: ${String(err)}`) })
  }

  get status (): 'stopped' | 'started' { return this.#status }

  /** Every member this node knows, itself first (state alive). */
  members (): Member[] { return this.#table.members() }

  member (peerId: PeerId | string): Member | undefined { return this.#table.get(peerId.toString()) }

  /** Calls `fn` with every verified beat heard directly (for parts that read `extra`). */
  onHeartbeat (fn: (beat: Heartbeat) => void): () => void {
    this.#heartbeatListeners.add(fn)
    return () => { this.#heartbeatListeners.delete(fn) }
  }

  async start (): Promise<void> {
    if (this.#status === 'started') return
    await this.#mesh.handleChannel(HEARTBEAT_PROTOCOL, heartbeatFrameSchema, async (frame, ctx) => { await this.#receive(frame, ctx) })
    this.#status = 'started'
    await this.#beat()
    // a new peer hears from us at once, not an interval later
    this.#offPeer = this.#mesh.onPeer((e) => { if (e.name === 'mesh:peer:connect' && this.#own !== undefined) this.#push(e.peer, this.#own) })
    this.#timer = setInterval(() => { void this.#beat().catch((err: Error) => { this.#log.error(`heartbeat failed: ${err.message}`) }) }, this.#intervalMs)
    this.#timer.unref()
  }

  /** Stops beating; first tells every peer this node leaves (they mark it `left`, not dead). */
  async stop (): Promise<void> {
    if (this.#status !== 'started') return
    this.#status = 'stopped'
    clearInterval(this.#timer)
    this.#offPeer?.()
    if (this.#mesh.status === 'started') {
      try {
        const last = await signBeat(this.#build(true), async (d) => await this.#mesh.sign(d))
        await Promise.race([
          Promise.allSettled(this.#mesh.peers().map(async (p) => { await this.#mesh.channel(p, HEARTBEAT_PROTOCOL).notify({ beat: last }) })),
          new Promise((resolve) => setTimeout(resolve, 1000).unref())
        ])
      } catch (err) {
        this.#log(`could not say goodbye: ${(err as Error).message}`)
      }
    }
    await this.#mesh.unhandle(HEARTBEAT_PROTOCOL).catch(() => {})
  }

  #build (leaving = false): Heartbeat {
    const load = this.#init.load?.() ?? {}
    const extra = this.#init.extra?.()
    const self = this.#mesh.peerId.toString()
    return {
      peerId: self,
      name: this.#init.name ?? self.slice(-8),
      labels: this.#init.labels ?? {},
      hardware: this.#init.hardware ?? {},
      load: {
        agents: load.agents ?? 0,
        messagesPerSec: load.messagesPerSec ?? 0,
        cpu: load.cpu ?? Math.min(1, os.loadavg()[0] / Math.max(1, os.availableParallelism())),
        memory: load.memory ?? process.memoryUsage.rss()
      },
      seq: this.#seq++,
      incarnation: this.#incarnation,
      ts: Date.now(),
      addrs: this.#mesh.multiaddrs().map((a) => a.toString()).slice(0, 32),
      ...(leaving ? { leaving: true } : {}),
      ...(extra === undefined ? {} : { extra })
    }
  }

  async #beat (): Promise<void> {
    if (this.#status !== 'started' || this.#mesh.status !== 'started') return
    const beat = this.#build()
    this.#table.setSelf(beat)
    this.#own = await signBeat(beat, async (d) => await this.#mesh.sign(d))
    for (const peer of this.#mesh.peers()) this.#push(peer, this.#own)
    const { events, ping } = this.#table.tick()
    for (const e of events) this.events.emit(e)
    for (const id of ping) void this.#ping(id)
    if (this.#seq % 64 === 0) this.#prune()
  }

  /** Forgets what we kept for relaying about nodes the table no longer holds. */
  #prune (): void {
    const connected = new Set(this.#mesh.peers().map(String))
    for (const map of [this.#latest, this.#told, this.#dialedAt]) {
      for (const id of map.keys()) if (this.#table.get(id) === undefined && !connected.has(id)) map.delete(id)
    }
  }

  #push (peer: PeerId, own: SignedBeat): void {
    if (this.#mesh.status !== 'started') return
    const ch = this.#mesh.channel(peer, HEARTBEAT_PROTOCOL)
    if (ch.backlog > 2) return // a slow peer: skip a beat rather than queue them
    const relay = this.#relayFor(peer.toString())
    const frame: HeartbeatFrame = relay.length > 0 ? { beat: own, relay } : { beat: own }
    ch.notify(frame).catch((err: Error) => { this.#log(`heartbeat to ${peer.toString()} failed: ${err.message}`) })
  }

  /** Beats of other live members this peer has not been told about lately. */
  #relayFor (peer: string): SignedBeat[] {
    const now = Date.now()
    const retell = this.#init.retellMs ?? 30_000
    let told = this.#told.get(peer)
    if (told === undefined) { told = new Map(); this.#told.set(peer, told) }
    const out: SignedBeat[] = []
    for (const m of this.#table.members()) {
      if (m.self || m.peerId === peer || m.state !== 'alive') continue
      const signed = this.#latest.get(m.peerId)
      if (signed === undefined) continue
      const key = `${m.incarnation}|${m.addrs.join(',')}`
      const last = told.get(m.peerId)
      if (last !== undefined && last.key === key && now - last.at < retell) continue
      told.set(m.peerId, { key, at: now })
      out.push(signed)
      if (out.length >= MAX_RELAY) break
    }
    return out
  }

  async #receive (frame: HeartbeatFrame, ctx: ChannelContext): Promise<void> {
    const from = ctx.peer.toString()
    let beat: Heartbeat
    try {
      beat = await verifyBeat(frame.beat)
      if (beat.peerId !== from) throw new Error(`it names ${beat.peerId}`)
    } catch (err) {
      this.#log(`dropped a heartbeat from ${from}: ${(err as Error).message}`)
      return
    }
    this.#latest.set(from, frame.beat)
    for (const e of this.#table.heard(beat)) this.events.emit(e)
    for (const l of this.#heartbeatListeners) {
      try { l(beat) } catch (err) { this.#log.error(`heartbeat listener failed: ${(err as Error).message}`) }
    }
    if (beat.leaving === true) { this.#told.delete(from); this.#latest.delete(from) }
    for (const signed of frame.relay ?? []) void this.#learn(signed, from)
  }

  /** A relayed beat: if it names a node we are not connected to, dial it. */
  async #learn (signed: SignedBeat, via: string): Promise<void> {
    if (this.#init.dialLearned === false) return
    let beat: Heartbeat
    try {
      beat = await verifyBeat(signed)
    } catch (err) {
      this.#log(`dropped a beat relayed by ${via}: ${(err as Error).message}`)
      return
    }
    const self = this.#mesh.peerId.toString()
    if (beat.peerId === self || beat.leaving === true || beat.addrs.length === 0) return
    if (this.#mesh.peers().some((p) => p.toString() === beat.peerId)) return
    const last = this.#dialedAt.get(beat.peerId) ?? 0
    if (Date.now() - last < RETRY_DIAL_MS) return
    this.#dialedAt.set(beat.peerId, Date.now())
    try {
      const peerId = peerIdFromString(beat.peerId)
      const addrs = beat.addrs.flatMap((a) => { try { return [multiaddr(a)] } catch { return [] } })
      await this.#mesh.libp2p.peerStore.merge(peerId, { multiaddrs: addrs })
      await this.#mesh.dial(peerId, { timeoutMs: 5000 })
      this.#log(`dialled ${beat.peerId}, learned from ${via}`)
    } catch (err) {
      this.#log(`could not dial ${beat.peerId} (learned from ${via}): ${(err as Error).message}`)
    }
  }

  async #ping (id: string): Promise<void> {
    if (this.#pinging.has(id)) return
    this.#pinging.add(id)
    try {
      await this.#mesh.libp2p.services.ping.ping(peerIdFromString(id), { signal: AbortSignal.timeout(this.#init.pingTimeoutMs ?? 1000) })
    } catch {
      for (const e of this.#table.pingFailed(id)) this.events.emit(e)
    } finally {
      this.#pinging.delete(id)
    }
  }
}

export function createMembership (components: MembershipComponents, init: MembershipInit = {}): Membership {
  return new Membership(components, init)
}
