// What `mielin token issue --help` tells an admin, and `mielin mesh join` given something that
// is not a join token, as typed (needs `npm run build`).
import { access, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { jsonError, mielin } from '../helpers/cli.js'

const tmp = await mkdtemp(path.join(os.tmpdir(), 'mielin-e2e-join-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))

t.test('token issue --help: each right and what it allows, namespaces, and the clock-skew allowance', async (t) => {
  const r = await mielin(['token', 'issue', '--help'])
  t.equal(r.exitCode, 0, r.stderr)
  const allows: Record<string, RegExp> = {
    deploy: /agent deploy/, send: /agent send/, stop: /agent stop/, read: /agent logs/, migrate: /reserved: moving agents between nodes is not built yet/, admin: /all of the above.*mesh leave/
  }
  for (const [right, what] of Object.entries(allows)) t.match(r.stdout, new RegExp(`^\\s+${right}\\s+${what.source}`, 'm'), right)
  t.match(r.stdout, /Every right also lets the token look: mesh status, mesh peers, agent list and\s+agent inspect/)
  t.match(r.stdout, /NAMESPACES[^]*"\*" means all of them/)
  t.match(r.stdout, /expiry plus 30 seconds/)
  t.match(r.stdout, /--ttl 1s token works for about 31 s/)
})

t.test('mesh join notatoken: not a join token, where one comes from, exit 2, nothing written', async (t) => {
  const dataDir = path.join(tmp, 'typo')
  const r = await mielin(['mesh', 'join', 'notatoken', '--data-dir', dataDir])
  t.equal(r.exitCode, 2)
  t.match(r.stderr, /^Error: "notatoken" is not a join token, nor the HOST:PORT or multiaddr of a node\. A join token is one long word that starts with "mielin1\.": `mielin mesh init` printed it/m)
  t.match(r.stderr, /^Code: E_TOKEN_MALFORMED$/m)
  t.match(r.stderr, /^Try this: mielin mesh join 'mielin1\.…' --data-dir DIR/m)
  t.match(r.stderr, /^Try this: mielin mesh join 127\.0\.0\.1:9001/m)
  t.notMatch(r.stderr, /not running|Cannot reach|resolve/, 'not taken for an address')
  await t.rejects(access(path.join(dataDir, 'cluster.json')), 'no cluster.json')
  const json = await mielin(['mesh', 'join', 'notatoken', '--data-dir', dataDir, '--json'])
  t.equal(json.exitCode, 2)
  t.equal(jsonError(json.stdout).code, 'E_TOKEN_MALFORMED')
})

t.test('mesh join with a garbled token says what is wrong with it', async (t) => {
  const init = await mielin(['mesh', 'init', '--data-dir', path.join(tmp, 'a'), '--json'])
  t.equal(init.exitCode, 0, init.stderr)
  const { joinToken } = JSON.parse(init.stdout) as { joinToken: string }
  const cut = await mielin(['mesh', 'join', joinToken.slice(0, -6), '--data-dir', path.join(tmp, 'cut')])
  t.equal(cut.exitCode, 2)
  t.match(cut.stderr, /^Error: That is not a valid join token: its checksum does not match/m)
  const typo = await mielin(['mesh', 'join', joinToken.replace('mielin1.', 'mielinl.'), '--data-dir', path.join(tmp, 'typo2')])
  t.equal(typo.exitCode, 2)
  t.match(typo.stderr, /does not start with "mielin1\."/)
  const ok = await mielin(['mesh', 'join', joinToken, '--data-dir', path.join(tmp, 'b')])
  t.equal(ok.exitCode, 0, ok.stderr)
  t.match(ok.stdout, /Stored the cluster secret/)
})

t.test('mesh join HOST:PORT is still an address: it asks the local node to dial it', async (t) => {
  const r = await mielin(['mesh', 'join', '127.0.0.1:9001', '--data-dir', path.join(tmp, 'b'), '--json'])
  t.equal(jsonError(r.stdout).code, 'E_NODE_NOT_RUNNING', 'no node runs with this data dir, so there is nothing to dial with')
})
