import os from 'node:os'
import path from 'node:path'

/**
 * Default data dirs under $MIELIN_HOME (default ~/.mielin): `local` for `mielin agent run`,
 * `node` for a mesh node. They differ so both can run at once (a data dir is locked by its
 * running node).
 */
export const defaultDataDir = (kind: 'local' | 'node' = 'local'): string => path.join(process.env.MIELIN_HOME ?? path.join(os.homedir(), '.mielin'), kind)
