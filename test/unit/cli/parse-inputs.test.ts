import t from 'tap'
import { parseInputFlags } from '../../../src/cli/parse-inputs.js'
import { positiveInt } from '../../../src/cli/flags.js'
import { formatError, toMielinError } from '../../../src/cli/base-command.js'
import { MielinError } from '../../../src/runtime/errors.js'

t.test('--input NAME=JSON', async (t) => {
  t.same(parseInputFlags(['x=[[1,2],[3,4]]', 'k=3']), { x: [[1, 2], [3, 4]], k: 3 })
  t.throws(() => parseInputFlags(['[1,2]']), { code: 'E_INVALID_ARG', message: /no NAME=/ })
  t.throws(() => parseInputFlags(['x=[1,']), /not valid JSON/)
  t.throws(() => parseInputFlags(['x=["a"]']), /nested arrays of numbers/)
})

t.test('positive integers', async (t) => {
  t.equal(positiveInt('size', '1024'), 1024)
  for (const bad of ['-3', '0', '1.5', 'abc', '', '99999999']) {
    t.throws(() => positiveInt('size', bad), { code: 'E_INVALID_ARG', exitCode: 2, message: /--size must be a whole number/ }, bad)
  }
})

t.test('errors become MielinErrors with a code and a fix', async (t) => {
  const e = new MielinError('It broke.', 'E_X', { suggestions: ['Fix it.'] })
  t.equal(formatError(e), 'Error: It broke.\nCode: E_X\nTry this: Fix it.\n')
  const bug = toMielinError(new TypeError('x is undefined'), 'hw')
  t.equal(bug.code, 'E_INTERNAL')
  t.equal(bug.exitCode, 70)
  t.equal(toMielinError(e, 'hw'), e)
})
