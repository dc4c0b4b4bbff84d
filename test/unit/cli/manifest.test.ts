// oclif.manifest.json is committed (oclif reads it instead of loading every command); it
// must list exactly the commands in src/commands, or new commands would be invisible.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { ROOT } from '../../helpers/cli.js'

async function commandIds (dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const ids = await Promise.all(entries.map(async (e) => e.isDirectory()
    ? await commandIds(path.join(dir, e.name), `${prefix}${e.name}:`)
    : e.name.endsWith('.ts') ? [`${prefix}${e.name.replace(/\.ts$/, '').replace(/^index$/, '')}`.replace(/:$/, '')] : []))
  return ids.flat()
}

t.test('the manifest lists every command, and only those', async (t) => {
  const manifest = JSON.parse(await readFile(path.join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> }
  const fromSource = (await commandIds(path.join(ROOT, 'src/commands'))).sort()
  t.same(Object.keys(manifest.commands).sort(), fromSource, 'run `npx oclif manifest` after adding a command')
})
