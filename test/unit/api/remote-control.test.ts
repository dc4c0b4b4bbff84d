import '../../helpers/esm-js-hook.js'
import t from 'tap'

const { namespaceOf } = await import('../../../src/runtime/api/remote-control.js')

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

t.test('cluster-wide reads and admin calls touch every namespace', async (t) => {
  const p = { services: services({}) } as never
  t.equal(await namespaceOf(p, 'agent.list', { namespace: 'dev' }, signal), undefined)
  t.equal(await namespaceOf(p, 'mesh.leave', {}, signal), undefined)
})
