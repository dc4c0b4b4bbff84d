import type { Logger } from '../logger.js'
import type { NodeStore } from '../store/index.js'
import type { Agent } from './agent.js'

/**
 * Hands an agent's snapshot to the store, unless it equals the last one handed over (a
 * no-op or read-only handler changes nothing, and LevelDB writes are the slow part of a
 * reply). Resolves once the state the agent's replies reflect is durable: this write, or the
 * one still in flight for the same state.
 */
export function persist (store: NodeStore, agent: Agent, state: Uint8Array, log: Logger): Promise<void> {
  if (agent.persisted === undefined || Buffer.compare(state, agent.persisted.state) !== 0) {
    const written = store.saveCheckpoint(agent.id, state)
    written.catch((err: Error) => {
      log.error(`checkpoint of ${agent.id} failed: ${err.message}`)
      if (agent.persisted?.written === written) agent.persisted = undefined // the next batch tries again
    })
    agent.persisted = { state, written }
  }
  return agent.persisted.written
}
