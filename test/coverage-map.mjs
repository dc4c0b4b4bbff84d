// Which source files each test file's coverage counts for (tap's --coverage-map).
// Tests that spawn mielin in child processes (bin/run.js runs dist/, bin/dev.js and the
// logger test run src/ through tsx) count for nothing: their children's coverage maps to the
// same src/ files through other compilers' source maps, and merging the two made tap drop or
// undercount whole files. What those tests exercise is covered in-process by unit and
// integration tests; `[]` means "what this test loads".
const SPAWNS_MIELIN = /^test[\\/](e2e[\\/]|integration[\\/]delegation-across-nodes\.test\.ts$|unit[\\/]logger\.test\.ts$)/

export default (testFile) => SPAWNS_MIELIN.test(testFile) ? null : []
