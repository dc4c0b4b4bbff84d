// The linter of `npm test` (npm run lint): typescript-eslint's type-checked rules over src/,
// test/, bench/ and scripts/, zero warnings allowed. Each rule tuned here says why beside it.
import js from '@eslint/js'
import { defineConfig, globalIgnores } from 'eslint/config'
import tseslint from 'typescript-eslint'

export default defineConfig(
  // templates/ are agent sources that `mielin agent build` compiles on its own; test/fixtures/
  // holds agents and machine dumps that tests load as data; demo/ and .mielin/ are what the
  // README's quick start and `agent run` make in a clone (agent projects, node data dirs);
  // the rest is output.
  globalIgnores(['dist/', 'node_modules/', 'templates/', 'test/fixtures/', '.tap/', 'tmp/', 'demo/', '**/.mielin/']),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // One program for everything, tests and benchmarks included: the one that
        // `npm run typecheck` checks, so the linter and tsc agree about types.
        project: './tsconfig.check.json',
        tsconfigRootDir: import.meta.dirname
      }
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        // tap queues every t.test() and waits for it before the parent test ends; the promise
        // it returns is only for those who want to await it.
        allowForKnownSafeCalls: [{ from: 'package', name: 'test', package: '@tapjs/test' }]
      }],
      // `async` without `await` is how this code implements an async interface that answers at
      // once (tensor backends, oclif hooks, tap test bodies, stubs of a DHT): unlike a plain
      // function returning Promise.resolve(), it turns a throw into a rejection.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', {
        // `const { leaving, ...rest } = beat` is how a key is dropped, and
        // `for await (const _ of it)` drains an iterator whose values do not matter.
        ignoreRestSiblings: true,
        varsIgnorePattern: '^_',
        argsIgnorePattern: '^_'
      }]
    }
  },
  {
    files: ['src/sdk/world.ts'],
    rules: {
      // The world's exports fail by throwing a *string*: componentize-js maps it to the `err`
      // case of the WIT result, whereas a thrown Error traps the whole instance.
      '@typescript-eslint/only-throw-error': 'off'
    }
  },
  {
    // The plain JS files (bin/, scripts/check-env.js, test/coverage-map.mjs, this file) are outside the TS
    // program: syntax rules only.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      // Node's globals that they use (the `globals` package is not a dependency).
      globals: Object.fromEntries(['process', 'console', 'URL', 'setInterval', 'setTimeout', 'clearTimeout'].map((g) => [g, 'readonly']))
    }
  }
)
