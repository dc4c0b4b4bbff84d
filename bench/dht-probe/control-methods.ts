import type { KadDHT } from '@libp2p/kad-dht'
import type { ControlHandler } from '../../src/runtime/control/index.js'
import { InvalidArgumentError } from '../../src/runtime/errors.js'
import { probeLookup, probePut, routingTableSize } from './index.js'
import type { Mesh } from '../../src/runtime/mesh/index.js'

/**
 * DHT diagnostics on the local control socket only (they are not in the remote rights table):
 * the DHT bench puts records and times lookups on every node through these.
 */
export function dhtControlMethods (mesh: Mesh): Record<string, ControlHandler> {
  const dht = (): KadDHT => mesh.libp2p.services.dht
  return {
    'dht.info': () => ({ routingTable: routingTableSize(dht()), k: dht().k }),
    'dht.put': async (p: { key?: unknown, value?: unknown }, { signal }) => {
      // the `mielin` namespace takes any value; keys elsewhere (the directory's) need signed records
      const key = keyOf(p.key)
      if (!key.startsWith('/mielin/')) throw new InvalidArgumentError(`dht.put writes keys under /mielin/ only, not "${key}".`)
      if (typeof p.value !== 'string') throw new InvalidArgumentError('dht.put needs a string value.')
      return await probePut(dht(), encoder.encode(key), encoder.encode(p.value), { signal })
    },
    'dht.lookup': async (p: { key?: unknown, kind?: unknown }, { signal }) => {
      const kind = p.kind ?? 'get'
      if (kind !== 'get' && kind !== 'closest') throw InvalidArgumentError.choice('lookup kind', JSON.stringify(kind), ['get', 'closest'])
      return await probeLookup(dht(), mesh.peerId, kind, encoder.encode(keyOf(p.key)), { signal })
    }
  }
}

const encoder = new TextEncoder()

function keyOf (key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) throw new InvalidArgumentError('A DHT key is a string of 1 to 512 characters.')
  return key
}
