/**
 * Worker thread entry: hosts several agents' instances and runs their handlers. The
 * kernel sends it batches; it answers each with the replies and the state, if it changed.
 * Host calls block this thread (Atomics.wait) until the kernel answers on the reply port,
 * which is how a synchronous WebAssembly import can be served by async host code.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads'
import type { HostBridge } from './imports.js'
import { Instances, type AgentExports, type BatchOutcome, type Instance } from './instances.js'
import type { FromWorker, HostReply, MessageResult, ToWorker } from './protocol.js'

const { flag: flagBuffer, replyPort } = workerData as { flag: SharedArrayBuffer, replyPort: MessagePort }
const flag = new Int32Array(flagBuffer)
const port = parentPort as NonNullable<typeof parentPort>
const post = (m: FromWorker): void => port.postMessage(m)

const bridge: HostBridge = {
  call (agent, fn, args) {
    Atomics.store(flag, 0, 0)
    post({ op: 'host', agent, fn, args })
    for (;;) {
      const m = receiveMessageOnPort(replyPort)
      if (m !== undefined) {
        const reply = m.message as HostReply
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- jco maps a thrown { payload } to the import's err case
        if ('err' in reply) throw { payload: reply.err }
        return reply.ok
      }
      Atomics.wait(flag, 0, 0, 100)
    }
  },
  log: (agent, level, message) => post({ op: 'log', agent, level, message })
}

interface Hosted extends Instance { key: string, limitBytes: number }
const instances = new Instances(bridge)
const agents = new Map<string, Hosted>()

/**
 * componentize-js 0.23 leaks a little linear memory on every call that returns a string
 * (bytecodealliance/ComponentizeJS#279), so a long-lived agent would reach its memory limit.
 * Past this share of the limit, the agent moves to a fresh instance with the state it just
 * snapshotted; it costs one spare instance and nothing it can observe.
 */
const RECYCLE_AT = 0.75
/** A thrown value without `payload` is a trap or a host bug: the instance cannot be trusted after it. */
const isAgentError = (e: unknown): e is { payload: unknown } => typeof e === 'object' && e !== null && 'payload' in e
const describe = (e: unknown): string => e instanceof Error ? `${e.name}: ${e.message}` : String(e)
/** An engine that ran out of memory may be left inconsistent: treat it like a trap. */
const OUT_OF_MEMORY = /out of memory/i

async function handle (msg: ToWorker): Promise<void> {
  switch (msg.op) {
    case 'load': {
      const key = `${msg.gluePath}:${msg.memoryMb}`
      try {
        await instances.prepare(key, msg.gluePath, msg.modules)
        const instance = instances.take(key, msg.agent, msg.caps)
        instance.exports.init(msg.state)
        agents.set(msg.agent, { ...instance, key, limitBytes: msg.memoryMb * 2 ** 20 })
        post({ op: 'done', req: msg.req })
      } catch (e) {
        post({ op: 'done', req: msg.req, error: isAgentError(e) ? String(e.payload) : describe(e) })
      }
      return
    }
    case 'deliver': {
      const started = performance.now()
      const a = agents.get(msg.agent)
      if (a === undefined) {
        post({ op: 'delivered', req: msg.req, results: [], trap: `agent ${msg.agent} is not loaded in this worker`, cpuMs: 0, memoryBytes: 0 })
        return
      }
      const onBatch = a.exports.onBatch?.bind(a.exports)
      const ran = onBatch !== undefined ? runBatch(onBatch, msg.batch) : runEach(a, msg.batch)
      const { results, replay } = ran
      let { trap, state } = ran
      let memoryBytes = Instances.memoryOf(a)
      if (trap !== undefined && memoryBytes >= a.limitBytes - 2 ** 20) trap = `${trap}; memory limit reached (${Math.round(memoryBytes / 2 ** 20)} MiB in use)`
      if (trap === undefined) {
        try {
          // on-message gives no state, so ask for it; on-batch gave it if it changed
          if (!ran.stateKnown) state = a.exports.onMigrate()
          if (memoryBytes > RECYCLE_AT * a.limitBytes) memoryBytes = recycle(msg.agent, a, state ?? a.exports.onMigrate())
        } catch (err) { trap = describe(err) }
      }
      if (trap !== undefined) agents.delete(msg.agent) // a trapped instance is never used again
      post({ op: 'delivered', req: msg.req, results, state, trap, replay, cpuMs: performance.now() - started, memoryBytes })
      return
    }
    case 'snapshot': {
      try {
        post({ op: 'snapshot', req: msg.req, state: agents.get(msg.agent)?.exports.onMigrate() })
      } catch (err) {
        post({ op: 'snapshot', req: msg.req, error: describe(err) })
      }
      return
    }
    case 'unload':
      agents.delete(msg.agent)
      post({ op: 'done', req: msg.req })
  }
}

/** `stateKnown`: `state` is the agent's own word on its state (on-batch's), absent meaning unchanged. */
interface Ran { results: MessageResult[], state?: Uint8Array, stateKnown?: boolean, trap?: string, replay?: boolean }

/**
 * One call per message. A trap loses the state changes of the messages before it (no
 * snapshot follows a trap), so a trap in a batch of several is replayed like on-batch's.
 */
function runEach (a: Hosted, batch: unknown[]): Ran {
  const results: MessageResult[] = []
  for (const e of batch) {
    try {
      results.push({ ok: a.exports.onMessage(e) ?? null })
    } catch (err) {
      if (!isAgentError(err) || OUT_OF_MEMORY.test(String(err.payload))) {
        const trap = isAgentError(err) ? String(err.payload) : describe(err)
        return batch.length > 1 ? { results: [], trap, replay: true } : { results, trap }
      }
      results.push({ err: String(err.payload) })
    }
  }
  return { results }
}

/**
 * One call for the whole batch and its state (on-batch). Entering a componentize-js instance
 * costs more than a small handler, so this is one entry per batch where on-message and
 * on-migrate take two per message. When a batch of several traps, the kernel replays it one
 * message at a time from the last checkpoint, which finds the message at fault without
 * failing the others.
 */
function runBatch (onBatch: NonNullable<AgentExports['onBatch']>, batch: unknown[]): Ran {
  const replay = batch.length > 1 ? true : undefined
  let out
  try {
    out = onBatch(batch)
  } catch (err) {
    return { results: [], trap: isAgentError(err) ? String(err.payload) : describe(err), replay }
  }
  // a component built before on-batch returned its state gives the list alone: its state is then asked for
  const legacy = Array.isArray(out)
  const results = legacy ? out as unknown as BatchOutcome['results'] : Array.isArray(out?.results) ? out.results : []
  const oom = results.find((r) => r.tag === 'err' && OUT_OF_MEMORY.test(r.val))
  if (oom !== undefined || results.length !== batch.length) {
    return { results: [], trap: oom?.val ?? `on-batch returned ${results.length} results for ${batch.length} messages`, replay }
  }
  return { results: results.map((r) => r.tag === 'ok' ? { ok: r.val ?? null } : { err: r.val }), state: legacy ? undefined : out.state ?? undefined, stateKnown: !legacy }
}

/** Moves an agent to a fresh instance initialized from `state`; returns its memory use. */
function recycle (id: string, old: Hosted, state: Uint8Array): number {
  const fresh = instances.take(old.key, id, old.binding.caps)
  fresh.exports.init(state)
  agents.set(id, { ...fresh, key: old.key, limitBytes: old.limitBytes })
  return Instances.memoryOf(fresh)
}

// One message at a time, in order: a 'load' awaits the glue import, and nothing may overtake it.
let queue = Promise.resolve()
port.on('message', (msg: ToWorker) => {
  instances.busy()
  queue = queue.then(async () => await handle(msg)).finally(() => instances.idle())
})
