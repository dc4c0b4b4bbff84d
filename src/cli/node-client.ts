import { Flags } from '@oclif/core'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { ControlClient, controlSocketPath, NodeNotRunningError } from '../runtime/control/index.js'
import { defaultDataDir } from '../runtime/node/index.js'
import { RemoteControlClient } from '../runtime/api/index.js'
import { NoClusterError } from '../runtime/mesh/index.js'
import type { RpcClient } from '../runtime/rpc/index.js'

/** --data-dir for commands that talk to (or are) a mesh node. */
export const nodeDataDirFlag = Flags.string({
  description: 'The node\'s data dir (default: ~/.mielin/node, or $MIELIN_HOME/node).',
  helpValue: 'DIR'
})

export const nodeDir = (flag: string | undefined): string => flag ?? defaultDataDir('node')

/** --remote and --token: talk to a node on another machine instead of the local one. */
export const remoteFlags = {
  remote: Flags.string({ description: 'A node of the cluster to ask instead of the local one (multiaddr or HOST:PORT); needs --token.', helpValue: 'ADDR', dependsOn: ['token'], env: 'MIELIN_REMOTE' }),
  token: Flags.string({ description: 'Capability token for --remote (from `mielin token issue`).', helpValue: 'TOKEN', env: 'MIELIN_TOKEN' })
}

export interface NodeTarget { dataDir: string, remote?: string, token?: string }

/** The node a command's --data-dir, --remote and --token name. */
export const nodeTarget = (flags: { 'data-dir'?: string, remote?: string, token?: string }): NodeTarget =>
  ({ dataDir: nodeDir(flags['data-dir']), remote: flags.remote, token: flags.token })

/**
 * One call to a node: the one running with this data dir, over its owner-only control
 * socket, or with `remote` a node elsewhere, over libp2p with a capability token. Both speak
 * the same RPC protocol, so a method answers and fails the same way over either.
 */
export async function callNode<T> (target: string | NodeTarget, method: string, params: unknown, signal: AbortSignal): Promise<T> {
  const client = await connectNode(target, signal)
  try {
    return await client.call<T>(method, params, { signal })
  } finally {
    await client.close()
  }
}

/** A streaming call (logs --follow, events), local or remote: yields until the node ends it or Ctrl-C. */
export async function * streamNode<T> (target: string | NodeTarget, method: string, params: unknown, signal: AbortSignal): AsyncGenerator<T> {
  const client = await connectNode(target, signal)
  try {
    yield * client.stream<T>(method, params, { signal })
  } finally {
    await client.close()
  }
}

/** Several calls on one connection to a node (a deploy from afar uploads, then deploys, on one). */
export async function withNode<T> (target: string | NodeTarget, signal: AbortSignal, work: (client: RpcClient) => Promise<T>): Promise<T> {
  const client = await connectNode(target, signal)
  try {
    return await work(client)
  } finally {
    await client.close()
  }
}

async function connectNode (target: string | NodeTarget, signal: AbortSignal): Promise<RpcClient> {
  const t = typeof target === 'string' ? { dataDir: target } : target
  if (t.remote !== undefined && t.token !== undefined) {
    return await RemoteControlClient.connect({ dataDir: t.dataDir, remote: t.remote, token: t.token, signal })
      .catch((err: unknown) => { throw err instanceof NoClusterError ? noSecretForRemote(t.dataDir, err) : err })
  }
  return await connect(t.dataDir, signal)
}

/** --remote from a machine that never joined: a node lets in only the cluster's members, token or not. */
function noSecretForRemote (dataDir: string, cause: NoClusterError): NoClusterError {
  const dirFlag = dataDir === defaultDataDir('node') ? '' : ` --data-dir ${dataDir}`
  return new NoClusterError(`--remote needs the cluster secret on this machine, and data dir ${dataDir} has none (no cluster.json): a node admits only members of its private network, before it even reads the token.`, undefined, {
    cause,
    suggestions: [
      `Store the secret once, from a join token (the one \`mielin mesh init\` printed; ask the cluster's admin): mielin mesh join <join token>${dirFlag}   (no node needs to run here)`,
      `Then run this command again with the same --remote, --token${dirFlag === '' ? '' : ' and --data-dir'}`
    ]
  })
}

/** Connects to the local node; when there is none, says what to do for this very data dir. */
async function connect (dataDir: string, signal: AbortSignal): Promise<ControlClient> {
  try {
    return await ControlClient.connect(controlSocketPath(dataDir), { signal })
  } catch (err) {
    if (!(err instanceof NodeNotRunningError) || existsSync(path.join(dataDir, 'cluster.json'))) throw err
    throw new NodeNotRunningError(`No mielin node is running with data dir ${dataDir}, and it is not a member of a cluster yet.`, undefined, {
      suggestions: [
        `Make it one: mielin mesh init --data-dir ${dataDir}   (a new cluster), or mielin mesh join TOKEN --data-dir ${dataDir}`,
        `Then start it: mielin mesh start --bind 127.0.0.1:9000 --data-dir ${dataDir}`
      ]
    })
  }
}
