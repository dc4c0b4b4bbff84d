#!/usr/bin/env node
// Development entry: runs the TypeScript sources in src/ through tsx, without a build.
import { reexecWithProjectNode } from './node-version.js'

if (!(await reexecWithProjectNode(import.meta.url))) {
  const { register } = await import('tsx/esm/api')
  register()
  const { execute } = await import('@oclif/core')
  // ignoreManifest: oclif.manifest.json points into dist/; without it the commands load from src/
  await execute({ development: true, dir: import.meta.url, loadOptions: { ignoreManifest: true } })
}
