import '../../helpers/esm-js-hook.js'
import t from 'tap'

const { inNamespaces, namespaceOf, rightFor } = await import('../../../src/runtime/api/remote-control.js')

// The namespace a remote request is checked against decides what a token may reach: it must
// come from where the agent really lives, never from what the caller says.
const services = (where: Record<string, string>) => ({
  onOwner: async <T>(id: string): Promise<{ node: string, result: T }> => ({ node: 'n1', result: { namespace: where[id] } as T })
})
const signal = new AbortController().signal

t.test('a call that names an agent is checked in the agent\'s own namespace, whatever the params claim', async (t) => {
  const p = { services: services({ 'prod-db': 'prod' }) } as never
  t.equal(await namespaceOf(p, 'agent.stop', { id: 'prod-db', namespace: 'dev' }, signal), 'prod')
  t.equal(await namespaceOf(p, 'agent.send', { id: 'prod-db' }, signal), 'prod')
  t.equal(await namespaceOf(p, 'agent.logs.follow', { id: 'prod-db', namespace: 'dev' }, signal), 'prod')
})

t.test('a deploy is checked in the namespace it deploys into', async (t) => {
  const p = { services: services({}) } as never
  t.equal(await namespaceOf(p, 'agent.deploy', { namespace: 'dev', id: 'prod-db' }, signal), 'dev')
  t.equal(await namespaceOf(p, 'agent.deploy', {}, signal), 'default')
})

t.test('admin calls touch every namespace', async (t) => {
  const p = { services: services({}) } as never
  t.equal(await namespaceOf(p, 'mesh.leave', {}, signal), undefined)
  t.equal(await namespaceOf(p, 'mesh.join', { addrs: [] }, signal), undefined)
})

t.test('every right sees the nodes and its agents; logs need read; acting needs its own right', async (t) => {
  // a token is checked for the first right of the method it holds: held, it passes that check
  t.equal(rightFor('agent.list', ['deploy', 'send']), 'deploy', 'a deploy,send token lists agents')
  t.equal(rightFor('agent.inspect', ['stop']), 'stop')
  t.equal(rightFor('mesh.peers', ['send']), 'send')
  t.equal(rightFor('mesh.status', ['read']), 'read')
  // not held: the right the refusal names (and its `mielin token issue --rights` suggestion)
  t.equal(rightFor('agent.logs', ['deploy', 'send']), 'read', 'log lines carry what agents print: read only')
  t.equal(rightFor('agent.logs.follow', ['send']), 'read')
  t.equal(rightFor('agent.upload', ['read']), 'deploy', 'sending a component up is part of a deploy')
  t.equal(rightFor('agent.deploy', ['read', 'send']), 'deploy')
  t.equal(rightFor('mesh.leave', ['deploy']), 'admin')
  t.equal(rightFor('agent.secret-local-method', ['read']), 'admin', 'an unlisted method is not for tokens')
})

t.test('a token for some namespaces lists the agents of those only', async (t) => {
  const agent = (id: string, namespace: string): never => ({ id, namespace, nodeName: 'a' }) as never
  const gone = { id: 'old', epoch: 2, node: 'n2', nodeName: 'b', why: { code: 'E_NODE_LEFT', message: 'node b left 3 min ago' } }
  const list = {
    agents: [agent('web', 'default'), agent('db', 'prod'), agent('job', 'dev')],
    unavailable: [gone],
    unreachable: [{ node: 'n3', nodeName: 'c', error: { code: 'E_NODE_DEAD', message: 'declared dead' } }]
  }
  t.same(inNamespaces(list, ['default']).agents.map((a) => a.id), ['web'])
  t.same(inNamespaces(list, ['default', 'dev']).agents.map((a) => a.id), ['web', 'job'])
  t.same(inNamespaces(list, ['*']).agents.map((a) => a.id), ['web', 'db', 'job'])
  t.same(inNamespaces(list, ['default']).unreachable, list.unreachable, 'the nodes that did not answer are still named')
  t.same(inNamespaces(list, ['default']).unavailable, [], 'an agent of a gone node, of no known namespace, is not shown to a namespace\'s token')
  t.same(inNamespaces(list, ['*']).unavailable, [gone], 'but to a token for all')
})
