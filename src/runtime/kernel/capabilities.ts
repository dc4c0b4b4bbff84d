import { CapabilityDeniedError } from './errors.js'

/**
 * Capabilities are objects the kernel hands out, not strings checked later. An agent's
 * capability space holds them; a delegated capability remembers its parent, so revoking
 * a capability revokes everything delegated from it.
 */
export type CapabilityKind = 'log' | 'kv' | 'tensor' | 'send'

export class Capability {
  #revoked = false
  readonly children = new Set<Capability>()

  /** `target` is an agent id or '*' for send; undefined for the others. */
  constructor (readonly kind: CapabilityKind, readonly target?: string, readonly parent?: Capability) {
    parent?.children.add(this)
  }

  get revoked (): boolean { return this.#revoked || this.parent?.revoked === true }

  revoke (): void {
    this.#revoked = true
    for (const c of this.children) c.revoke()
  }

  /** What a manifest calls it: 'kv', 'send:bob', 'send:*'. */
  get name (): string { return this.target === undefined ? this.kind : `${this.kind}:${this.target}` }

  covers (kind: CapabilityKind, target?: string): boolean {
    return !this.revoked && this.kind === kind && (this.target === undefined || this.target === '*' || this.target === target)
  }
}

export class CapabilitySpace {
  readonly #caps = new Set<Capability>()

  constructor (readonly owner: string) {}

  /** A space holding root capabilities named like the manifest's: log, kv, tensor, send:<id>, send:*. */
  static of (owner: string, names: Iterable<string>): CapabilitySpace {
    const space = new CapabilitySpace(owner)
    for (const name of new Set(names)) {
      const [kind, target] = name.split(':') as [CapabilityKind, string | undefined]
      space.grant(kind, target)
    }
    return space
  }

  /** Grants a fresh root capability (from the manifest, as allowed by the operator). */
  grant (kind: CapabilityKind, target?: string): Capability {
    const cap = new Capability(kind, target)
    this.#caps.add(cap)
    return cap
  }

  /**
   * Adds `send:<target>`, delegated to this agent by another: derived from `parent` (the
   * sender's capability, on this node) and revoked with it, or a root capability when the
   * sender is elsewhere. Holding the same one already (same target, same parent) adds none.
   */
  receive (target: string, parent?: Capability): Capability {
    for (const c of this.#caps) if (c.kind === 'send' && c.target === target && c.parent === parent && !c.revoked) return c
    const cap = new Capability('send', target, parent)
    this.#caps.add(cap)
    return cap
  }

  find (kind: CapabilityKind, target?: string): Capability | undefined {
    for (const c of this.#caps) if (c.covers(kind, target)) return c
    return undefined
  }

  /** Throws E_CAP_DENIED unless a live capability covers the use. */
  require (kind: CapabilityKind, target?: string): Capability {
    const cap = this.find(kind, target)
    if (cap !== undefined) return cap
    const what = target === undefined ? kind : `${kind}:${target}`
    throw new CapabilityDeniedError(`Agent "${this.owner}" holds no "${what}" capability.`, undefined, {
      suggestions: [`Add "${what}" to capabilities in its mielin.json (and grant it with --cap when running).`]
    })
  }

  /** Revokes every capability of this space matching the name ('kv', 'send:bob'). */
  revoke (name: string): number {
    let n = 0
    for (const c of this.#caps) if (c.name === name && !c.revoked) { c.revoke(); n++ }
    return n
  }

  /** Names of the live capabilities (what the worker builds imports from). */
  names (): string[] { return [...this.#caps].filter((c) => !c.revoked).map((c) => c.name) }
}
