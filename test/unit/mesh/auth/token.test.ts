// Capability tokens: standard EdDSA JWTs, and what an operator sees when one is forged, expired or too narrow.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { base64url, decodeJwt, decodeProtectedHeader, importJWK, SignJWT } from 'jose'
import t from 'tap'
import {
  CLOCK_SKEW_SECONDS, issueToken, parseDuration, parseRights, readTokenClaims, verifyToken, type IssueTokenOptions
} from '../../../../src/runtime/mesh/auth/index.js'

const adminKey = await generateKeyPair('Ed25519')
const adminPublicKey = adminKey.publicKey.raw
const NOW = Date.parse('2025-06-01T12:00:00Z')
const issue = async (o: Partial<IssueTokenOptions> = {}): Promise<string> =>
  await issueToken({ adminKey, subject: 'alice', rights: ['deploy', 'send'], namespaces: ['default'], ttlSeconds: 3600, now: NOW, ...o })
const fix = /mielin token issue --rights \S+ --namespace \S+ --ttl 1h/

t.test('a valid token gives its claims', async (t) => {
  const token = await issue()
  const claims = await verifyToken(token, adminPublicKey, { right: 'deploy', namespace: 'default', now: NOW + 60_000 })
  t.match(claims, { sub: 'alice', rights: ['deploy', 'send'], namespaces: ['default'], iat: NOW / 1000, exp: NOW / 1000 + 3600 })
  t.type(claims.jti, 'string')
  t.same(readTokenClaims(token), claims)
  t.not(readTokenClaims(await issue()).jti, claims.jti, 'each token has its own id')
  t.ok(await verifyToken(token, adminKey.publicKey, { right: 'send', namespace: 'default', now: NOW }), 'a PublicKey works too')
  t.ok(await verifyToken(`  ${token}\n`, adminPublicKey, { right: 'send', namespace: 'default', now: NOW }), 'whitespace from copy-pasting is ignored')
})

t.test('a token is a standard JWT that any JWT tool decodes', async (t) => {
  const token = await issue()
  t.match(token, /^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/, 'compact JWS with a 64-byte signature')
  t.same(decodeProtectedHeader(token), { alg: 'EdDSA', typ: 'JWT' })
  t.match(decodeJwt(token), { sub: 'alice', rights: ['deploy', 'send'], namespaces: ['default'], iat: NOW / 1000, exp: NOW / 1000 + 3600, jti: String })
  const [head, body, sig] = token.split('.') as [string, string, string]
  t.ok(await adminKey.publicKey.verify(new TextEncoder().encode(`${head}.${body}`), base64url.decode(sig)), 'the signature is a plain Ed25519 one by the admin key')
})

t.test('a JWT signed elsewhere with the admin key (another JWT tool) is accepted', async (t) => {
  const seed = base64url.encode(adminKey.raw.subarray(0, 32))
  const key = await importJWK({ kty: 'OKP', crv: 'Ed25519', d: seed, x: base64url.encode(adminPublicKey) }, 'EdDSA')
  const token = await new SignJWT({ rights: ['read'], namespaces: ['*'], extra: 'ignored' })
    .setProtectedHeader({ alg: 'EdDSA' }).setSubject('ci').setIssuedAt(NOW / 1000).setExpirationTime(NOW / 1000 + 60).setJti('j1').sign(key)
  t.same(await verifyToken(token, adminPublicKey, { right: 'read', now: NOW }), { sub: 'ci', rights: ['read'], namespaces: ['*'], iat: NOW / 1000, exp: NOW / 1000 + 60, jti: 'j1' })
})

t.test('forged: a flipped signature, altered claims, or another admin key', async (t) => {
  const forged = { code: 'E_TOKEN_FORGED', exitCode: 5, message: /for "alice"/, suggestions: [fix] }
  const token = await issue()
  const [head, body, sig] = token.split('.') as [string, string, string]
  const bytes = Buffer.from(sig, 'base64url')
  bytes[10] ^= 0x01
  await t.rejects(verifyToken(`${head}.${body}.${bytes.toString('base64url')}`, adminPublicKey, { right: 'deploy', namespace: 'default', now: NOW }), forged)

  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>
  const widened = Buffer.from(JSON.stringify({ ...claims, rights: ['admin'], namespaces: ['*'] })).toString('base64url')
  await t.rejects(verifyToken(`${head}.${widened}.${sig}`, adminPublicKey, { right: 'deploy', namespace: 'default', now: NOW }), forged)

  const otherAdmin = await generateKeyPair('Ed25519')
  const foreign = await issue({ adminKey: otherAdmin })
  t.ok(await verifyToken(foreign, otherAdmin.publicKey, { right: 'deploy', namespace: 'default', now: NOW }), 'valid for its own cluster')
  await t.rejects(verifyToken(foreign, adminPublicKey, { right: 'deploy', namespace: 'default', now: NOW }), forged, 'issued by another cluster')
})

t.test('malformed tokens', async (t) => {
  const malformed = { code: 'E_TOKEN_MALFORMED', exitCode: 5, suggestions: [/Copy the whole token again \(it starts with "eyJ"\)/, fix] }
  const token = await issue()
  const [head, body, sig] = token.split('.') as [string, string, string]
  const verify = async (text: string): Promise<unknown> => await verifyToken(text, adminPublicKey, { right: 'deploy', namespace: 'default', now: NOW })
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  await t.rejects(verify(''), malformed)
  await t.rejects(verify('hello'), { ...malformed, message: /not a JSON Web Token/ })
  await t.rejects(verify('mct1.eyJ2IjoxfQ.c2ln'), { ...malformed, message: /old "mct1\." format/ }, 'the old home-made format')
  await t.rejects(verify(`e30.${body}.${sig}`), malformed, 'a header without alg')
  await t.rejects(verify(token.slice(0, -10)), { ...malformed, message: /signature is truncated/ }, 'truncated signature')
  await t.rejects(verify(`${head}.!${body}.${sig}`), malformed, 'claims not base64url')
  await t.rejects(verify(`${head}.${body}.${sig}!!`), malformed, 'signature not base64url')
  await t.rejects(verify(`${head}.${encode({ sub: 'alice', rights: ['fly'], namespaces: ['default'], iat: 1, exp: 2, jti: 'x' })}.${sig}`),
    { ...malformed, message: /claims are not those of a capability token \(rights\.0: / }, 'an unknown right')
  await t.rejects(verify(`${head}.${encode({ sub: 'alice', rights: ['read'], namespaces: ['default'] })}.${sig}`), { ...malformed, message: /iat/ }, 'no times')
  await t.rejects(verify(`${encode({ alg: 'none' })}.${body}.${sig}`), { ...malformed, message: /signed with none, and capability tokens with EdDSA/ }, 'alg none')
  await t.rejects(verify('mielin1.abcd'), { code: 'E_TOKEN_MALFORMED', message: /join token/ })
})

t.test('expired, with 30 s of clock skew allowed; the message says when', async (t) => {
  t.equal(CLOCK_SKEW_SECONDS, 30)
  const token = await issue({ ttlSeconds: 60 })
  const exp = NOW + 60_000
  await verifyToken(token, adminPublicKey, { right: 'deploy', namespace: 'default', now: exp + 29_000 })
  t.pass('29 s late is clock skew')
  await t.rejects(verifyToken(token, adminPublicKey, { right: 'deploy', namespace: 'default', now: exp + 31_000 }), {
    code: 'E_TOKEN_EXPIRED', exitCode: 5, message: /for "alice"\) expired at 2025-06-01T12:01:00\.000Z, 31 s ago/, suggestions: [fix]
  })
  await t.rejects(verifyToken(token, adminPublicKey, { right: 'deploy', namespace: 'default', now: exp + 3 * 86400_000 }), {
    code: 'E_TOKEN_EXPIRED', message: /3 days ago/
  })
  const old = await issue({ ttlSeconds: 60, now: Date.now() - 3600_000 })
  await t.rejects(verifyToken(old, adminPublicKey, { right: 'deploy', namespace: 'default' }), { code: 'E_TOKEN_EXPIRED', message: /59 min ago/ }, 'by the real clock')
})

t.test('scope: the right and namespace needed, and those the token has', async (t) => {
  const token = await issue()
  await t.rejects(verifyToken(token, adminPublicKey, { right: 'migrate', namespace: 'default', now: NOW }), {
    code: 'E_TOKEN_SCOPE', exitCode: 5, message: /"migrate" \(it has: deploy, send\)/, suggestions: [/--rights migrate --namespace default/]
  })
  await t.rejects(verifyToken(token, adminPublicKey, { right: 'deploy', namespace: 'prod', now: NOW }), {
    code: 'E_TOKEN_SCOPE', message: /namespace "prod" \(it covers: default\)/, suggestions: [/--rights deploy --namespace prod/]
  })
  await t.rejects(verifyToken(token, adminPublicKey, { right: 'read', namespace: 'prod', now: NOW }), {
    code: 'E_TOKEN_SCOPE', message: /"read".*nor.*"prod"/
  })
  await t.rejects(verifyToken(token, adminPublicKey, { right: 'deploy', now: NOW }), {
    code: 'E_TOKEN_SCOPE', message: /all namespaces/
  }, 'a node-wide operation needs "*"')
})

t.test("'*' covers every namespace; admin implies every right", async (t) => {
  const all = await issue({ rights: ['read'], namespaces: ['*'] })
  for (const namespace of ['default', 'prod', 'x']) await verifyToken(all, adminPublicKey, { right: 'read', namespace, now: NOW })
  await verifyToken(all, adminPublicKey, { right: 'read', now: NOW })
  await t.rejects(verifyToken(all, adminPublicKey, { right: 'stop', namespace: 'prod', now: NOW }), { code: 'E_TOKEN_SCOPE' })
  const admin = await issue({ rights: ['admin'], namespaces: ['ops'] })
  await verifyToken(admin, adminPublicKey, { right: 'migrate', namespace: 'ops', now: NOW })
  await t.rejects(verifyToken(admin, adminPublicKey, { right: 'migrate', namespace: 'prod', now: NOW }), { code: 'E_TOKEN_SCOPE' })
})

t.test('issue refuses what would make a useless token', async (t) => {
  await t.rejects(issue({ rights: [] }), { code: 'E_INVALID_ARG' })
  // @ts-expect-error -- a right that does not exist, as a caller without types could pass
  await t.rejects(issue({ rights: ['fly'] }), { code: 'E_INVALID_ARG', message: /deploy, stop, migrate, send, read, admin/ })
  await t.rejects(issue({ namespaces: [] }), { code: 'E_INVALID_ARG' })
  await t.rejects(issue({ ttlSeconds: 0 }), { code: 'E_INVALID_ARG' })
  await t.rejects(issue({ subject: ' ' }), { code: 'E_INVALID_ARG' })
  await t.rejects(issue({ adminKey: await generateKeyPair('secp256k1') }), { code: 'E_INVALID_ARG', message: /Ed25519/ })
})

t.test('parseDuration and parseRights', async (t) => {
  t.equal(parseDuration('30s'), 30)
  t.equal(parseDuration('15m'), 900)
  t.equal(parseDuration('1h'), 3600)
  t.equal(parseDuration('7d'), 604800)
  t.equal(parseDuration(' 2H '), 7200)
  for (const bad of ['', '1', 'h', '1.5h', '-1h', '0s', '1w', '1h30m']) {
    t.throws(() => parseDuration(bad), { code: 'E_INVALID_ARG', exitCode: 2, message: /30s.*15m.*1h.*7d/ }, bad)
  }
  t.same(parseRights('deploy, send,deploy'), ['deploy', 'send'])
  t.throws(() => parseRights('deploy,fly'), { code: 'E_INVALID_ARG', message: /Unknown right "fly"/ })
  t.throws(() => parseRights(''), { code: 'E_INVALID_ARG' })
})
