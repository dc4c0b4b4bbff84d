// Plain JavaScript on purpose: it must run on any Node, before anything else is loaded.
// It uses node:child_process rather than execa because execa itself needs Node >= 22.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const MIN_MAJOR = 22

/**
 * If this Node is too old, run the same script with the project's own Node 22
 * (node_modules/.bin/node, from the `node` devDependency) and resolve to true once
 * it has exited. Resolves false when the current Node is new enough.
 */
export async function reexecWithProjectNode (scriptUrl) {
  const major = Number(process.versions.node.split('.')[0])
  if (major >= MIN_MAJOR) {
    exitWithParent()
    return false
  }
  const projectNode = fileURLToPath(new URL('../node_modules/.bin/node', scriptUrl))
  if (!existsSync(projectNode)) {
    process.stderr.write(
      `Error: mielin needs Node.js ${MIN_MAJOR} or newer, and this is ${process.version}.\n` +
      `Code: E_NODE_VERSION\n` +
      `Try this: run the install command from the README (npx -y -p node@22 -- npm install), ` +
      `which brings Node ${MIN_MAJOR} into node_modules, or install Node ${MIN_MAJOR}.\n`)
    process.exit(2)
  }
  const child = spawn(projectNode, [fileURLToPath(scriptUrl), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, MIELIN_WRAPPER_PID: String(process.pid) }
  })
  // A terminal's Ctrl-C reaches the child too (one process group), but `kill -INT <our pid>`
  // reaches only us: forward both. The child takes a SIGINT right after the first as the same.
  process.on('SIGINT', () => child.kill('SIGINT'))
  process.on('SIGTERM', () => child.kill('SIGTERM'))
  const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig === 'SIGINT' ? 130 : 1))))
  process.exit(code)
}

/**
 * When this process was started by the wrapper above and the wrapper is killed (even with
 * SIGKILL, which it cannot forward), stop too instead of living on as an orphan.
 */
function exitWithParent () {
  const wrapper = Number(process.env.MIELIN_WRAPPER_PID)
  if (!Number.isInteger(wrapper) || wrapper <= 0 || process.ppid !== wrapper) return
  setInterval(() => { if (process.ppid !== wrapper) process.kill(process.pid, 'SIGTERM') }, 1000).unref()
}
