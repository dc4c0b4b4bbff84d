#!/usr/bin/env node
// Development entry: runs the TypeScript sources in src/ through tsx, without a build.
import { reexecWithProjectNode } from './node-version.js'

if (!(await reexecWithProjectNode(import.meta.url))) {
  const { register } = await import('tsx/esm/api')
  register()
  const { execute } = await import('@oclif/core')
  await execute({ development: true, dir: import.meta.url })
}
