import { AgentHostError, defineAgent, type Message } from 'mielin/agent'

/**
 * A relay. `{"to": "<agent-id>", "payload": …}` forwards the payload to that agent as a
 * request and answers at once with the request's id. When the other agent replies, the
 * relay sends the answer on to whoever asked, as `{"relayed": <reply>, "from", "requestId"}`.
 * Anything else gets the relay's status. It needs `send:*`, or `send:<agent-id>` for each agent
 * it forwards to and each agent that asks.
 */
interface Forward { to?: unknown, payload?: unknown }
interface Pending { asker: string, to: string }
interface RelayState { pending: Record<string, Pending>, relayed: number }

export default defineAgent({
  initialState: (): RelayState => ({ pending: {}, relayed: 0 }),

  onMessage (msg: Message<Forward>, ctx) {
    if (msg.kind === 'reply') {
      const requestId = msg.replyTo ?? ''
      const pending = ctx.state.pending[requestId]
      if (pending === undefined) {
        ctx.log.warn(`a reply to ${requestId}, which this relay did not send`)
        return undefined
      }
      delete ctx.state.pending[requestId]
      try {
        ctx.send(pending.asker, { relayed: msg.payload, from: pending.to, requestId })
        ctx.state.relayed += 1
      } catch (err) {
        // Relaying back needs a send capability for the asker too (send:* or send:<asker>).
        if (!(err instanceof AgentHostError)) throw err
        ctx.log.warn(`could not relay the reply to ${pending.asker}: ${err.message}`)
      }
      return undefined
    }

    const to = msg.payload?.to
    if (typeof to !== 'string') {
      return { status: 'ready', pending: Object.keys(ctx.state.pending).length, relayed: ctx.state.relayed }
    }
    try {
      const requestId = ctx.request(to, msg.payload?.payload ?? null)
      ctx.state.pending[requestId] = { asker: msg.from, to }
      return { to, forwarded: true, requestId }
    } catch (err) {
      // E_CAP_DENIED without a send capability for `to`; other codes when `to` cannot be reached.
      if (err instanceof AgentHostError) return { to, forwarded: false, error: err.code, message: err.message }
      throw err
    }
  }
})
