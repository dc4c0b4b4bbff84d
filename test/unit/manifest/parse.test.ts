// parseManifest: defaults filled in, and every refusal names the field and says what is wrong.
import t from 'tap'
import { DEFAULT_LIMITS, parseManifest } from '../../../src/runtime/manifest/parse.js'

const good = { name: 'hello', version: '0.1.0' }

t.test('defaults are filled in; unknown keys and $schema are dropped', async (t) => {
  t.same(parseManifest(good), { ...good, capabilities: ['log'], limits: DEFAULT_LIMITS, placement: {}, restart: 'on-failure' })
  const full = parseManifest({
    $schema: './types/mielin.schema.json',
    ...good,
    description: 'Says hello.',
    capabilities: ['log', 'kv', 'log', 'send:*'],
    limits: { memoryMb: 128 },
    placement: { arch: 'aarch64', simd: 'neon', gpu: false, labels: { region: 'eu' } },
    restart: 'never',
    addedByANewerMielin: true
  })
  t.same(full, {
    ...good,
    description: 'Says hello.',
    capabilities: ['log', 'kv', 'send:*'],
    limits: { ...DEFAULT_LIMITS, memoryMb: 128 },
    placement: { arch: 'aarch64', simd: 'neon', gpu: false, labels: { region: 'eu' } },
    restart: 'never'
  }, 'duplicate capabilities dropped, other limits defaulted')
  t.notOk('$schema' in full)
  t.notOk('description' in parseManifest(good), 'no description key when none is given')
})

t.test('each refusal names the field and says what is wrong', async (t) => {
  const cases: Array<[unknown, string]> = [
    [null, '"(root)" must be a JSON object'],
    [[], '"(root)" must be a JSON object'],
    [{ version: '1' }, '"name" must be lower-case letters, digits and dashes, starting with a letter'],
    [{ ...good, name: 'Hello' }, '"name" must be lower-case letters, digits and dashes, starting with a letter, at most 63 characters'],
    [{ ...good, version: '' }, '"version" must be a non-empty string such as "0.1.0"'],
    [{ ...good, description: 7 }, '"description" must be a string'],
    [{ ...good, capabilities: 'log' }, '"capabilities" must be a list of: log, kv, tensor, send:<agent-id>, send:*'],
    [{ ...good, capabilities: ['log', 'fs'] }, '"capabilities[1]" must be one of: log, kv, tensor, send:<agent-id>, send:*'],
    [{ ...good, limits: { memoryMb: 0 } }, '"limits.memoryMb" must be a whole number ≥ 1'],
    [{ ...good, limits: { deadlineMs: 1.5 } }, '"limits.deadlineMs" must be a whole number ≥ 1'],
    [{ ...good, limits: { mailbox: '8' } }, '"limits.mailbox" must be a whole number ≥ 1'],
    [{ ...good, limits: 5 }, '"limits" must be an object'],
    [{ ...good, restart: 'sometimes' }, '"restart" must be one of always, on-failure, never'],
    [{ ...good, placement: 'eu' }, '"placement" must be an object'],
    [{ ...good, placement: { arch: 'mips' } }, '"placement.arch" must be one of x86_64, aarch64, arm, riscv64'],
    [{ ...good, placement: { labels: { region: 1 } } }, '"placement.labels.region" must be a string']
  ]
  for (const [input, message] of cases) {
    t.throws(() => parseManifest(input, 'mielin.json'), {
      code: 'E_MANIFEST_INVALID', exitCode: 3, message: `mielin.json: ${message}.`, suggestions: [/README section "Agent manifest"/]
    }, message)
  }
})
