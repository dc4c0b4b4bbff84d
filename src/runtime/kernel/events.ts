/**
 * The kernel's events, on an EventBus: listeners, or `subscribe()` for an AsyncIterable that
 * ends when the signal aborts (how the TUI and telemetry will listen).
 */
export type KernelEvent =
  | { name: 'kernel:agent:deploying', agent: string }
  | { name: 'kernel:agent:started', agent: string, worker: number, restored: boolean }
  | { name: 'kernel:agent:stopped', agent: string }
  | { name: 'kernel:agent:failed', agent: string, reason: string, willRestart: boolean }
  | { name: 'kernel:agent:migrating', agent: string }
  | { name: 'kernel:agent:log', agent: string, level: string, message: string }
  | { name: 'kernel:message', from: string, to: string, kind: string, id: string }
  | { name: 'kernel:worker:replaced', worker: number, reason: string }
  /** A message an agent sent to an outside client (an id like `cli:…`), for whoever serves it. */
  | { name: 'kernel:outbound', envelope: import('../types/index.js').Envelope }

export { EventBus } from '../event-bus.js'
