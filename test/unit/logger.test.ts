import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import t from 'tap'

const LOGGER = fileURLToPath(new URL('../../src/runtime/logger.ts', import.meta.url))

// DEBUG is read once, when the logging library loads: each case runs in a process of its own
// with exactly the environment a user would have.
const SCRIPT = `
  import { logger } from '@libp2p/logger'
  import { defaultLogger } from ${JSON.stringify(LOGGER)}
  const kernel = defaultLogger('kernel')
  const mesh = defaultLogger('mesh')
  kernel('kernel debug line %s', 'k1')
  mesh('mesh debug line')
  kernel.error('checkpoint of %s failed', 'agent-7')
  logger('libp2p:dialer').error('libp2p error line')
  process.stdout.write(JSON.stringify({ kernel: kernel.enabled, mesh: mesh.enabled }))
`

async function run (debug?: string): Promise<{ stdout: string, stderr: string }> {
  const env: Record<string, string | undefined> = { ...process.env, DEBUG: debug, DEBUG_COLORS: 'no' }
  if (debug === undefined) delete env.DEBUG
  const r = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
    env, extendEnv: false, timeout: 60_000
  })
  return { stdout: String(r.stdout), stderr: String(r.stderr) }
}

t.test('without DEBUG: errors reach stderr, debug lines and libp2p errors do not', async (t) => {
  const { stdout, stderr } = await run()
  t.match(stderr, /mielin:kernel:error checkpoint of agent-7 failed/)
  t.notMatch(stderr, /debug line/)
  t.notMatch(stderr, /libp2p error line/, 'libp2p keeps its errors behind DEBUG')
  t.same(JSON.parse(stdout), { kernel: false, mesh: false }, 'nothing but the probe on stdout')
})

t.test('DEBUG=mielin:* prints every component\'s debug lines, on stderr', async (t) => {
  const { stdout, stderr } = await run('mielin:*')
  t.match(stderr, /mielin:kernel kernel debug line k1/)
  t.match(stderr, /mielin:mesh mesh debug line/)
  t.match(stderr, /mielin:kernel:error checkpoint of agent-7 failed/)
  t.same(JSON.parse(stdout), { kernel: true, mesh: true })
})

t.test('DEBUG=mielin:kernel prints that component alone', async (t) => {
  const { stdout, stderr } = await run('mielin:kernel')
  t.match(stderr, /mielin:kernel kernel debug line k1/)
  t.notMatch(stderr, /mesh debug line/)
  t.equal(stderr.match(/checkpoint of agent-7 failed/g)?.length, 1, 'an error is printed once')
  t.same(JSON.parse(stdout), { kernel: true, mesh: false })
})
