// Runs before `npm test` (pretest): fail early, with the fix, when the set-up step was skipped.
import { existsSync } from 'node:fs'

const major = Number(process.versions.node.split('.')[0])
const problems = []
if (major < 22) problems.push(`Node ${process.version} runs this, and mielin needs Node 22 or newer.`)
for (const pkg of ['@oclif/core', 'onnxruntime-node', '@tensorflow/tfjs-core', 'tap', 'typescript']) {
  if (!existsSync(new URL(`../node_modules/${pkg}/package.json`, import.meta.url))) problems.push(`${pkg} is not installed.`)
}
if (problems.length > 0) {
  console.error(`Error: the project is not set up.\n  ${problems.join('\n  ')}\nTry this: npx -y -p node@22 -- npm install`)
  process.exit(2)
}
