import { defineAgent, type Message } from 'mielin/agent'

/**
 * A counter. Each message adds its `n` (default 1) to the count, and a request gets the
 * new count back. The count is the agent's state, so it survives restarts and migrations.
 */
export default defineAgent({
  initialState: () => ({ count: 0 }),

  onStart (ctx) {
    ctx.log.info(`${ctx.self} starts at count ${ctx.state.count}`)
  },

  onMessage (msg: Message<{ n?: number }>, ctx) {
    const n = typeof msg.payload?.n === 'number' ? msg.payload.n : 1
    ctx.state.count += n
    return { count: ctx.state.count }
  }
})
