// An agent's own error code reaches a caller of the node's API as that code, the way
// `mielin agent send ID JSON --wait` asks: over the control socket, through the cluster's
// request path, to the agent's kernel, and back as an RPC error.
import '../helpers/esm-js-hook.js'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { buildFixtureAgent } from '../helpers/agents.js'

// after the hook: these load libp2p (see esm-js-hook.ts)
const { initCluster } = await import('../../src/runtime/mesh/auth/index.js')
const { createNode } = await import('../../src/runtime/node/index.js')
const { callNode } = await import('../../src/cli/node-client.js')

t.test('E_OUT_OF_STOCK thrown by an agent reaches the API caller as E_OUT_OF_STOCK; a plain error as E_AGENT_ERROR', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mielin-agent-codes-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const probe = await buildFixtureAgent('probe')
  await initCluster(dir)
  const node = await createNode({}, { dataDir: dir, workers: 1, mesh: { host: '127.0.0.1', port: 0, name: 'shop' } })
  t.teardown(() => node.stop())
  await node.deployFile(probe.file)
  const send = async (payload: object): Promise<unknown> =>
    await callNode(dir, 'agent.send', { id: 'probe', payload: JSON.stringify(payload), wait: true }, AbortSignal.timeout(20_000))

  // the probe fails a message with the text it is given, as the SDK does for an AgentError
  await t.rejects(send({ op: 'fail', text: 'E_OUT_OF_STOCK: only 2 left' }), {
    code: 'E_OUT_OF_STOCK',
    message: 'Agent "probe" returned an error: E_OUT_OF_STOCK: only 2 left',
    suggestions: [/E_OUT_OF_STOCK is the answer of "probe"/]
  })
  await t.rejects(send({ op: 'fail', text: 'something broke' }), { code: 'E_AGENT_ERROR', message: /something broke/ })
  await t.rejects(send({ op: 'crash' }), { code: 'E_AGENT_FAILED', message: /crashed handling this message/ }, 'a trap is the runtime\'s error')
  t.match(await send({ op: 'count' }), { reply: { count: 1 } }, 'and the agent still answers')
})
