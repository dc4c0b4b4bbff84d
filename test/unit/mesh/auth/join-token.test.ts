// Join tokens survive copy-paste and refuse to be misread when mistyped.
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { decodeJoinToken, encodeJoinToken, joinTarget, type JoinTokenContent } from '../../../../src/runtime/mesh/auth/index.js'

const content: JoinTokenContent = {
  clusterKey: new Uint8Array(randomBytes(32)),
  adminPublicKey: new Uint8Array(randomBytes(32)),
  bootstrap: ['/ip4/192.168.1.10/tcp/9000/p2p/12D3KooWJ8s5Ck5Hnh1q9VXfi1xpqBDUKNRyXSsYiGmgWVyzB6Tr', '/ip4/192.168.1.11/udp/9000/quic-v1']
}

t.test('round trip', async (t) => {
  const token = encodeJoinToken(content)
  t.match(token, /^mielin1\.[A-Za-z0-9_-]+$/)
  t.same(joinTarget(token), { kind: 'token', token })
  t.same(decodeJoinToken(token), content)
  t.same(decodeJoinToken(encodeJoinToken({ ...content, bootstrap: [], name: 'lab' })), { ...content, bootstrap: [], name: 'lab' })
})

t.test('whitespace from a terminal copy (wrapped lines) is ignored', async (t) => {
  const token = encodeJoinToken(content)
  const wrapped = `  ${token.slice(0, 40)}\n${token.slice(40, 90)}\r\n${token.slice(90)}\n`
  t.same(joinTarget(wrapped), { kind: 'token', token })
  t.same(decodeJoinToken(wrapped), content)
})

t.test('every one-character typo is E_TOKEN_MALFORMED, never a different cluster', async (t) => {
  const token = encodeJoinToken(content)
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  let refused = 0
  for (let i = 'mielin1.'.length; i < token.length; i++) {
    const c = alphabet[(alphabet.indexOf(token[i]) + 7) % 64]
    const typo = token.slice(0, i) + c + token.slice(i + 1)
    try {
      decodeJoinToken(typo)
    } catch (err) {
      if ((err as { code?: string }).code === 'E_TOKEN_MALFORMED') refused++
    }
  }
  t.equal(refused, token.length - 'mielin1.'.length)
})

t.test('corrupted or truncated tokens: E_TOKEN_MALFORMED with a fix', async (t) => {
  const token = encodeJoinToken(content)
  const malformed = { code: 'E_TOKEN_MALFORMED', exitCode: 2, suggestions: [/mielin1\./] }
  t.throws(() => decodeJoinToken(token.slice(0, -5)), malformed, 'truncated')
  t.throws(() => decodeJoinToken(token.slice(0, 20)), malformed, 'very truncated')
  t.throws(() => decodeJoinToken(token.replace('mielin1.', 'mielin2.')), malformed, 'another version')
  t.throws(() => decodeJoinToken(token + '!'), malformed, 'a stray character')
  t.throws(() => decodeJoinToken('hello'), malformed)
  t.throws(() => decodeJoinToken('eyJhbGciOiJFZERTQSJ9.e30.c2ln'), { code: 'E_TOKEN_MALFORMED', message: /capability token/ })
})

t.test('mesh join tells a token from an address, and refuses what is neither', async (t) => {
  for (const address of ['127.0.0.1:9001', 'node-a.lan:4001', '[::1]:9001', '/ip4/1.2.3.4/tcp/9000', ' 10.0.0.5:4001 ',
    '12D3KooWJ8s5Ck5Hnh1q9VXfi1xpqBDUKNRyXSsYiGmgWVyzB6Tr']) {
    t.same(joinTarget(address), { kind: 'address', address: address.trim() }, address)
  }
  // starts like a token: decoding it says what is wrong, rather than dialing it as a host
  for (const token of ['mielin1.abc', 'mielinl.eyJrZXk', 'MIELIN1.abc', 'eyJhbGciOiJFZERTQSJ9.e30.c2ln']) {
    t.equal(joinTarget(token).kind, 'token', token)
  }
  t.throws(() => decodeJoinToken((joinTarget('mielin1.abc') as { token: string }).token), { code: 'E_TOKEN_MALFORMED', message: /too short/ })
  const neither = { code: 'E_TOKEN_MALFORMED', exitCode: 2, message: /is not a join token.*"mielin1\.".*mielin mesh init/, suggestions: [/mielin mesh join 'mielin1\.…'/, /HOST:PORT/] }
  for (const typo of ['notatoken', 'localhost', '127.0.0.1', 'hello world', 'ZXlKcmV5Ij', '127.0.0.1:port']) {
    t.throws(() => joinTarget(typo), neither, typo)
  }
  const long = 'x'.repeat(200)
  t.throws(() => joinTarget(long), { message: /^"x{24}…" is not/ }, 'a long paste is not echoed whole (it may hold a secret)')
})
