import { randomBytes } from 'node:crypto'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import type { DhtLookup, DhtPut } from './dht-probe/index.js'
import { print } from './anchors.js'
import { until } from '../test/helpers/until.js'
import { startCluster, type Cluster } from './cluster.js'
import { mean, percentile } from './stats.js'

const DHT_NODE = fileURLToPath(new URL('./dht-probe/node.ts', import.meta.url))

/**
 * The DHT (issue 4's "lookup time and hops with ≥ 20 node processes, target ≤ log2 N + 1
 * hops"), on N real node processes (MIELIN_BENCH_DHT_NODES, default 20), twice:
 * - as users run it: membership connects every node to every other, every routing table
 *   holds all N-1 peers, and a lookup asks the closest ones straight away;
 * - with a sparse routing table (k = 2 per bucket, a trie 2 bits deep: at most 8 peers), so
 *   lookups must walk the network. The bucket size alone is not enough: kad-dht's table is a
 *   trie that splits any full bucket down to prefixLength (6) bits, so 2 × 2^6 = 128 peers fit.
 * A few nodes put records under /mielin/; every other node gets them, and every node looks up
 * the closest peers of random keys. Hops are counted from kad-dht's query events (countHops).
 */
const SPARSE = { k: 2, prefixLength: 2 }
const PUTTERS = 4
const KEYS_PER_PUTTER = 3
const CLOSEST_PER_NODE = 5

export async function benchDht (): Promise<void> {
  const n = Number(process.env.MIELIN_BENCH_DHT_NODES ?? 20)
  if (!Number.isInteger(n) || n < 3) throw new Error(`MIELIN_BENCH_DHT_NODES must be an integer ≥ 3, not "${process.env.MIELIN_BENCH_DHT_NODES}"`)
  print('dht_nodes', String(n), 'processes')
  print('dht_hops_target', Math.log2(n) + 1, 'hops (log2 N + 1)')
  await measure('dht', n, [])
  await measure(`dht_sparse_k${SPARSE.k}`, n, ['--dht-bucket-size', String(SPARSE.k), '--dht-prefix-length', String(SPARSE.prefixLength)])
}

async function measure (prefix: string, n: number, args: string[]): Promise<void> {
  const t0 = performance.now()
  const progress = (m: string): void => { process.stderr.write(`${prefix}: ${m}\n`) }
  const cluster = await startCluster({ nodes: n, command: ['--import', 'tsx', DHT_NODE], args, onProgress: progress })
  try {
    print(`${prefix}_cluster_up`, (performance.now() - t0) / 1000, 's (all processes started and every node sees the others alive)')
    await settledRoutingTables(cluster)
    // what the latencies below compete with on this machine: the nodes' own background work (heartbeats to every peer, DHT upkeep)
    const cpu0 = cluster.cpuSeconds()
    await new Promise((resolve) => setTimeout(resolve, 5000))
    print(`${prefix}_idle_cpu`, (cluster.cpuSeconds() - cpu0) / 5, `cores (the ${n} idle nodes together, of ${os.availableParallelism()})`)
    // the first query of a node waits for kad-dht's initial self-query: keep that out of the figures
    for (const node of cluster.nodes) await cluster.call(node, 'dht.lookup', { kind: 'closest', key: randomKey('warm-up') })
    progress('putting records and looking them up')
    const { puts, gets } = await putThenGet(cluster)
    progress('looking up the closest peers of random keys')
    const closest: DhtLookup[] = []
    for (const node of cluster.nodes) {
      for (let i = 0; i < CLOSEST_PER_NODE; i++) closest.push(await cluster.call<DhtLookup>(node, 'dht.lookup', { kind: 'closest', key: randomKey('random') }))
    }
    print(`${prefix}_routing_table_mean`, mean([...gets, ...closest].map((l) => l.routingTable)), `peers (of ${n - 1}, as the lookups started)`)
    print(`${prefix}_put_stored_on_mean`, mean(puts.map((p) => p.storedOn)), 'peers')
    report(`${prefix}_get`, gets, n)
    report(`${prefix}_closest`, closest, n)
  } finally {
    await cluster.stop()
  }
}

/** PUTTERS nodes spread over the cluster each put KEYS_PER_PUTTER records; every other node gets each. */
async function putThenGet (cluster: Cluster): Promise<{ puts: DhtPut[], gets: DhtLookup[] }> {
  const { nodes } = cluster
  const puts: DhtPut[] = []
  const keys: Array<{ key: string, owner: number }> = []
  for (let p = 0; p < Math.min(PUTTERS, nodes.length); p++) {
    const owner = Math.floor(p * nodes.length / PUTTERS)
    for (let i = 0; i < KEYS_PER_PUTTER; i++) {
      const key = randomKey('record')
      puts.push(await cluster.call<DhtPut>(nodes[owner], 'dht.put', { key, value: `from ${nodes[owner].name}` }))
      keys.push({ key, owner })
    }
  }
  const gets: DhtLookup[] = []
  for (const { key, owner } of keys) {
    for (const [i, node] of nodes.entries()) if (i !== owner) gets.push(await cluster.call<DhtLookup>(node, 'dht.lookup', { kind: 'get', key }))
  }
  return { puts, gets }
}

/**
 * Routing tables fill as identify and kad-dht's pings of new contacts finish: wait until no
 * table changed for a second. (A contact whose ping times out on a loaded machine stays out
 * until a lookup meets it: the lookups' own figure says what they started from.)
 */
async function settledRoutingTables (cluster: Cluster): Promise<void> {
  let last = ''
  let stableSince = Date.now()
  await until(() => `the routing tables to settle (sizes now ${last})`, async () => {
    const sizes: number[] = []
    for (const node of cluster.nodes) sizes.push((await cluster.call<{ routingTable: number }>(node, 'dht.info')).routingTable)
    if (sizes.join() !== last) { last = sizes.join(); stableSince = Date.now() }
    return sizes.every((s) => s > 0) && Date.now() - stableSince >= 1000
  }, 60_000, 250)
}

function report (prefix: string, lookups: DhtLookup[], n: number): void {
  const found = lookups.filter((l) => l.found)
  const hops = found.map((l) => l.hops ?? 0)
  const isGet = lookups[0]?.kind === 'get'
  print(`${prefix}_lookups`, String(lookups.length), `lookups (${found.length} ${isGet ? 'answered by a remote peer' : 'found peers'}${isGet ? `; ${lookups.filter((l) => l.local).length} askers held the record themselves` : ''})`)
  print(`${prefix}_lookup_p50`, percentile(lookups.map((l) => l.ms), 0.5), 'ms')
  print(`${prefix}_lookup_p95`, percentile(lookups.map((l) => l.ms), 0.95), 'ms')
  if (isGet) print(`${prefix}_first_value_p50`, percentile(found.map((l) => l.valueMs ?? 0), 0.5), 'ms (until the first remote peer answered with the record)')
  print(`${prefix}_hops_mean`, mean(hops), isGet ? 'hops (to the first remote peer holding the record)' : 'hops (deepest peer queried)')
  print(`${prefix}_hops_max`, String(Math.max(0, ...hops)), `hops (target ≤ ${(Math.log2(n) + 1).toFixed(2)} = log2 N + 1)`)
  print(`${prefix}_peers_queried_mean`, mean(lookups.map((l) => l.queried)), 'peers')
}

const randomKey = (what: string): string => `/mielin/dht-bench/${what}-${randomBytes(8).toString('hex')}`
