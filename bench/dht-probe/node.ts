// A mesh node for the DHT bench: the node `mielin mesh start` runs, plus what only the bench
// needs, wired in here rather than shipped in the product: Kademlia tuning (a sparse routing
// table makes lookups take several hops), a `mielin` record namespace that takes any value,
// and the dht.info / dht.put / dht.lookup probes on the local control socket.
// Usage (bench/cluster.ts): node --import tsx bench/dht-probe/node.ts --bind 127.0.0.1:0 --data-dir D --name N [--join ADDR]… [--dht-bucket-size K --dht-prefix-length P]
import { parseArgs } from 'node:util'
import { createNode } from '../../src/runtime/node/index.js'
import { dhtControlMethods } from './control-methods.js'

const { values } = parseArgs({
  options: {
    bind: { type: 'string', default: '127.0.0.1:0' },
    'data-dir': { type: 'string' },
    name: { type: 'string' },
    join: { type: 'string', multiple: true },
    workers: { type: 'string', default: '1' },
    'dht-bucket-size': { type: 'string' },
    'dht-prefix-length': { type: 'string' }
  }
})
const [host, port] = [values.bind.slice(0, values.bind.lastIndexOf(':')), Number(values.bind.slice(values.bind.lastIndexOf(':') + 1))]
const optionalInt = (v: string | undefined): number | undefined => v === undefined ? undefined : Number(v)
const stop = new AbortController()
process.once('SIGINT', () => { stop.abort() })

const node = await createNode({}, {
  dataDir: values['data-dir'],
  workers: Number(values.workers),
  signal: stop.signal,
  mesh: {
    host,
    port,
    name: values.name,
    join: values.join,
    dht: {
      kBucketSize: optionalInt(values['dht-bucket-size']),
      prefixLength: optionalInt(values['dht-prefix-length']),
      validators: { mielin: async () => {} },
      selectors: { mielin: () => 0 }
    },
    localMethods: dhtControlMethods
  }
})
const mesh = node.mesh
if (mesh === undefined) throw new Error('the bench node has no mesh')
process.stdout.write(`mielin node ${values.name ?? ''} (${mesh.peerId}) is running.\n${mesh.addrs.map((a) => `  listening on ${a}\n`).join('')}`)
await node.stopped
