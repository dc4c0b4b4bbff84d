import path from 'node:path'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { nodeDataDirFlag, nodeTarget, remoteFlags, withNode } from '../../cli/node-client.js'
import { positiveInt } from '../../cli/flags.js'
import { componentSource } from '../../runtime/api/index.js'
import type { Placement } from '../../runtime/types/index.js'

export default class AgentDeploy extends BaseCommand {
  static override summary = 'Deploy a built agent onto the cluster.'
  static override description = 'The local node picks the node that fits the agent (--require and the manifest\'s placement: architecture, SIMD, GPU, labels), least loaded first, copies the component there (content-addressed) and starts it. When no node fits, the error says which constraint failed on which node. One id has one owner in the whole cluster: a deploy of an id that exists is refused unless --replace.\n\n' +
    'With --remote ADDR --token T (a token with the deploy right in the namespace) the component is sent to that node, in chunks, and deployed from there (at most 64 MiB).'
  static override examples = [
    { command: '<%= config.bin %> <%= command.id %> dist/hello.wasm', description: 'Anywhere that fits' },
    { command: '<%= config.bin %> <%= command.id %> dist/hello.wasm --require simd=avx2 --require label=region=eu', description: 'Only on AVX2 nodes labelled region=eu' },
    { command: '<%= config.bin %> <%= command.id %> dist/hello.wasm --name hello-2 --replicas 3', description: 'Three copies: hello-2-1, hello-2-2, hello-2-3' },
    { command: '<%= config.bin %> <%= command.id %> dist/hello.wasm --replace', description: 'New code for the running hello, on its node, keeping its state' },
    { command: '<%= config.bin %> <%= command.id %> dist/hello.wasm --remote 10.0.0.5:9000 --token "$MIELIN_TOKEN"', description: 'From an operator\'s machine, through the node at 10.0.0.5' }
  ]

  static override args = { file: Args.string({ description: 'The built agent (.wasm).', required: true }) }
  static override flags = {
    'data-dir': nodeDataDirFlag,
    ...remoteFlags,
    name: Flags.string({ description: 'Agent id (default: the manifest name).', helpValue: 'ID' }),
    namespace: Flags.string({ description: 'Namespace (tenant).', default: 'default', helpValue: 'NS' }),
    replicas: Flags.string({ description: 'How many copies (ids get -1, -2, …).', default: '1', helpValue: 'N' }),
    node: Flags.string({ description: 'Deploy on this node (peer id or name) instead of choosing.', helpValue: 'PEER' }),
    require: Flags.string({ char: 'r', description: 'Placement constraint (repeatable): simd=avx2, arch=aarch64, gpu, label=region=eu.', multiple: true, helpValue: 'C' }),
    cap: Flags.string({ description: 'Grant this capability instead of the manifest\'s list (repeatable).', multiple: true, helpValue: 'CAP' }),
    replace: Flags.boolean({ description: 'Replace the agent already running under this id: the new code runs on its node and keeps its state and queue. Without it, an id that exists anywhere in the cluster is refused (E_AGENT_EXISTS).' })
  }

  async run (): Promise<Placement[]> {
    const { args, flags } = await this.parse(AgentDeploy)
    const params = {
      name: flags.name,
      namespace: flags.namespace,
      replicas: positiveInt('replicas', flags.replicas, 100),
      node: flags.node,
      require: flags.require ?? [],
      caps: flags.cap,
      replace: flags.replace
    }
    const placements = await withNode(nodeTarget(flags), this.signal, async (node) => {
      const component = await componentSource(node, path.resolve(args.file), { remote: flags.remote !== undefined, signal: this.signal })
      return await node.call<Placement[]>('agent.deploy', { ...component, ...params }, { signal: this.signal })
    })
    for (const p of placements) {
      const replaced = p.replaced === undefined ? '' : p.replaced.stateKept ? ', replaced in place, state kept' : `, replaced the one on ${p.replaced.nodeName} (gone: its state stayed there)`
      this.log(`${p.agent} → ${p.nodeName} (${p.node}), epoch ${p.epoch}${replaced}`)
    }
    return placements
  }
}
