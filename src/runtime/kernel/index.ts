/**
 * The kernel: agent table and lifecycle, capability spaces, mailboxes, request/reply,
 * scheduling over worker threads with per-message deadlines, namespaces with quotas,
 * and an event stream.
 *
 * @example
 * ```ts
 * const kernel = new Kernel({ loader: new ComponentLoader({ cacheDir }) }, { workers: 2 })
 * await kernel.deploy({ component: bytes, manifest })
 * const reply = await kernel.request('cli:me', 'hello', '{"n":1}')
 * for await (const e of kernel.events.subscribe({ signal })) console.log(e.name)
 * await kernel.stop()
 * ```
 */
export { Kernel, type AgentSnapshot, type DeployInit, type KernelComponents, type KernelInit } from './kernel.js'
export { Capability, CapabilitySpace, type CapabilityKind } from './capabilities.js'
export { Mailbox } from './mailbox.js'
export { Namespace, type NamespaceQuota } from './namespaces.js'
export { checkEnvelope, newMessageId } from './envelope.js'
export { EventBus, type KernelEvent } from './events.js'
export * from './errors.js'
