/**
 * Worker thread entry: hosts several agents' instances and runs their handlers. The
 * kernel sends it batches; it answers each with the replies and a fresh state snapshot.
 * Host calls block this thread (Atomics.wait) until the kernel answers on the reply port,
 * which is how a synchronous WebAssembly import can be served by async host code.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads'
import { pathToFileURL } from 'node:url'
import { buildImports } from './imports.js'
import type { FromWorker, HostCallName, HostReply, MessageResult, ToWorker } from './protocol.js'

interface AgentExports {
  init: (state?: Uint8Array) => void
  onMessage: (e: unknown) => string | undefined
  onMigrate: () => Uint8Array
}
type Glue = { instantiate: (get: (n: string) => WebAssembly.Module, imports: unknown, core: (m: WebAssembly.Module, i: WebAssembly.Imports) => WebAssembly.Instance) => AgentExports }

const { flag: flagBuffer, replyPort } = workerData as { flag: SharedArrayBuffer, replyPort: MessagePort }
const flag = new Int32Array(flagBuffer)
const port = parentPort as NonNullable<typeof parentPort>
const post = (m: FromWorker): void => port.postMessage(m)
const glues = new Map<string, Promise<Glue>>()
interface Hosted { exports: AgentExports, memories: WebAssembly.Memory[], limitBytes: number }
const agents = new Map<string, Hosted>()
/** Linear memory in use by an agent (all its core instances' memories). */
const memoryOf = (a: Hosted): number => a.memories.reduce((n, m) => n + m.buffer.byteLength, 0)
/** An engine that ran out of memory may be left inconsistent: treat it like a trap. */
const OUT_OF_MEMORY = /out of memory/i

const bridge = {
  call (agent: string, fn: HostCallName, args: unknown[]): unknown {
    Atomics.store(flag, 0, 0)
    post({ op: 'host', agent, fn, args })
    for (;;) {
      const m = receiveMessageOnPort(replyPort)
      if (m !== undefined) {
        const reply = m.message as HostReply
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        if ('err' in reply) throw { payload: reply.err }
        return reply.ok
      }
      Atomics.wait(flag, 0, 0, 100)
    }
  },
  log: (agent: string, level: string, message: string) => post({ op: 'log', agent, level, message })
}

/** A thrown value without `payload` is a trap or a host bug: the instance cannot be trusted after it. */
const isAgentError = (e: unknown): e is { payload: unknown } => typeof e === 'object' && e !== null && 'payload' in e
const describe = (e: unknown): string => e instanceof Error ? `${e.name}: ${e.message}` : String(e)

async function handle (msg: ToWorker): Promise<void> {
  switch (msg.op) {
    case 'load': {
      try {
        let glue = glues.get(msg.gluePath)
        if (glue === undefined) {
          glue = import(pathToFileURL(msg.gluePath).href) as Promise<Glue>
          glues.set(msg.gluePath, glue)
        }
        const memories: WebAssembly.Memory[] = []
        const exports = (await glue).instantiate((n) => msg.modules[n], buildImports(msg.agent, msg.caps, bridge), (m, i) => {
          const instance = new WebAssembly.Instance(m, i)
          for (const v of Object.values(instance.exports)) if (v instanceof WebAssembly.Memory) memories.push(v)
          return instance
        })
        exports.init(msg.state)
        agents.set(msg.agent, { exports, memories, limitBytes: msg.memoryMb * 2 ** 20 })
        post({ op: 'done', req: msg.req })
      } catch (e) {
        post({ op: 'done', req: msg.req, error: isAgentError(e) ? String(e.payload) : describe(e) })
      }
      return
    }
    case 'deliver': {
      const a = agents.get(msg.agent)
      const started = performance.now()
      const results: MessageResult[] = []
      let trap: string | undefined = a === undefined ? `agent ${msg.agent} is not loaded in this worker` : undefined
      for (const e of a === undefined ? [] : msg.batch) {
        try {
          results.push({ ok: (a as Hosted).exports.onMessage(e) ?? null })
        } catch (err) {
          if (!isAgentError(err) || OUT_OF_MEMORY.test(String(err.payload))) { trap = isAgentError(err) ? String(err.payload) : describe(err); break }
          results.push({ err: String(err.payload) })
        }
      }
      const memoryBytes = a === undefined ? 0 : memoryOf(a)
      if (trap !== undefined && a !== undefined && memoryBytes >= a.limitBytes - 2 ** 20) trap = `${trap}; memory limit reached (${Math.round(memoryBytes / 2 ** 20)} MiB in use)`
      let state: Uint8Array | undefined
      if (trap === undefined && a !== undefined) {
        try { state = a.exports.onMigrate() } catch (err) { trap = describe(err) }
      }
      if (trap !== undefined) agents.delete(msg.agent) // a trapped instance is never used again
      post({ op: 'delivered', req: msg.req, results, state, trap, cpuMs: performance.now() - started, memoryBytes })
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

// One message at a time, in order: a 'load' awaits the glue import, and nothing may overtake it.
let queue = Promise.resolve()
port.on('message', (msg: ToWorker) => { queue = queue.then(async () => await handle(msg)) })
