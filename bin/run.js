#!/usr/bin/env node
// mielin needs Node >= 22 (libp2p, execa, oclif). When this file is started by an older
// Node (a user typing ./bin/run.js on a machine whose system Node is 20), re-run it with the
// Node 22 that the project installs from npm, instead of failing with obscure errors later.
import { reexecWithProjectNode } from './node-version.js'

if (!(await reexecWithProjectNode(import.meta.url))) {
  const { execute } = await import('@oclif/core')
  await execute({ dir: import.meta.url })
}
