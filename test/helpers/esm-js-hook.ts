import { register } from 'node:module'

// tap's ts-node loader takes ES modules shipped as `.js` without "type": "module" for CommonJS
// (@libp2p/tls depends on one, @peculiar/webcrypto); this hook detects their syntax as plain
// Node does. Import this module before importing anything from src/runtime/mesh.
register('data:text/javascript,' + encodeURIComponent(`
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Script } from 'node:vm'
export async function load (url, context, next) {
  const r = await next(url, context)
  if (r.format !== 'commonjs' || !url.startsWith('file:') || !url.includes('/node_modules/') || !url.endsWith('.js')) return r
  const source = readFileSync(fileURLToPath(url), 'utf8')
  try { new Script(source) } catch (err) { if (/\\b(import|export)\\b/.test(String(err))) return { format: 'module', source, shortCircuit: true } }
  return r
}`))
