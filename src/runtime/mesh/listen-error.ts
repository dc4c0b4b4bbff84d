/**
 * Why a mesh could not start, in a user's words. libp2p reports every listen address that
 * failed in one message (UnsupportedListenAddressesError), each with its stack and advice
 * about its own config; this reads which address failed and why, names the process that
 * holds a taken port, and says which --bind to try.
 */
import path from 'node:path'
import type { MielinError } from '../errors.js'
import { ListenError, MeshStartError, PortInUseError } from './errors.js'
import { findPortHolder, type PortHolder, type PortProtocol } from './port-holder.js'

export type ListenProblem = 'in-use' | 'not-available' | 'denied' | 'other'

export interface ListenFailure {
  /** The listen multiaddr, e.g. /ip4/127.0.0.1/udp/9001/quic-v1. */
  addr: string
  host: string
  port: number
  protocol: PortProtocol
  problem: ListenProblem
  /** The first line of the transport's error. */
  reason: string
}

// TCP gives Node's errno codes, QUIC (Rust) the OS's words
const PROBLEMS: Array<[RegExp, ListenProblem]> = [
  [/EADDRINUSE|address already in use/i, 'in-use'],
  [/EADDRNOTAVAIL|cannot assign requested address/i, 'not-available'],
  [/EACCES|permission denied/i, 'denied']
]

/** The failed addresses of libp2p's listen error, one per "  /ip4/…: Error: …" line. */
export function parseListenFailures (message: string): ListenFailure[] {
  const out: ListenFailure[] = []
  for (const line of message.split('\n')) {
    const m = /^\s+(\/ip[46]\/([^/]+)\/(tcp|udp)\/(\d+)\S*): (?:\w*Error: )?(.*)$/.exec(line)
    if (m === null) continue
    const [, addr, host, proto, port, reason] = m as unknown as [string, string, string, PortProtocol, string, string]
    const problem = PROBLEMS.find(([re]) => re.test(reason))?.[1] ?? 'other'
    out.push({ addr, host, port: Number(port), protocol: proto, problem, reason: reason.trim() })
  }
  return out
}

const hostPort = (f: ListenFailure): string => f.host.includes(':') ? `[${f.host}]:${f.port}` : `${f.host}:${f.port}`
const protocolsOf = (fs: ListenFailure[]): PortProtocol[] => [...new Set(fs.map((f) => f.protocol))]
const protocolWords = (ps: PortProtocol[]): string => ps.length > 1 ? 'TCP and UDP' : ps[0] === 'tcp' ? 'TCP' : 'UDP, for QUIC'

/** `mesh start` and its --data-dir, when the holder is a mielin node. */
function mielinNode (h: PortHolder | undefined): { dataDirFlag: string } | undefined {
  const argv = h?.argv ?? []
  const at = argv.indexOf('mesh')
  if (at < 0 || argv[at + 1] !== 'start') return undefined
  const i = argv.findIndex((a) => a === '--data-dir' || a.startsWith('--data-dir='))
  const dir = i < 0 ? undefined : argv[i].includes('=') ? argv[i].slice('--data-dir='.length) : argv[i + 1]
  if (dir === undefined) return { dataDirFlag: '' }
  return { dataDirFlag: ` --data-dir ${h?.cwd === undefined ? dir : path.resolve(h.cwd, dir)}` }
}

function describe (h: PortHolder | undefined): string {
  if (h?.pid !== undefined) {
    const command = h.argv?.join(' ') ?? ''
    return `PID ${h.pid}${command === '' ? '' : ` (${command.length > 160 ? `${command.slice(0, 157)}...` : command})`}`
  }
  if (h !== undefined) return `a process of user id ${h.uid}`
  return 'another process'
}

/** The error for failed listen addresses; `holder` is who holds the port of the in-use ones. */
export function listenError (failures: ListenFailure[], holder: PortHolder | undefined, cause?: unknown): MielinError {
  const inUse = failures.filter((f) => f.problem === 'in-use')
  const first = inUse[0] ?? failures[0]
  if (first === undefined) return new MeshStartError('The mesh could not start listening.', undefined, { cause })
  const where = hostPort(first)
  const free = `Let the system pick free ports: --bind ${first.host}:0 (the node prints the addresses it got)`
  if (inUse.length > 0) {
    const node = mielinNode(holder)
    const stop = node !== undefined
      ? `It is a mielin node: use it (mielin mesh status${node.dataDirFlag}), or stop it (mielin mesh leave${node.dataDirFlag})`
      : holder?.pid !== undefined
        ? `Or free the port: stop that process (kill ${holder.pid})`
        : `See what holds it: ss -ltnup 'sport = :${first.port}' (Linux), or lsof -nP -i :${first.port} (macOS)`
    return new PortInUseError(`Cannot listen on ${where}: the port is already in use (${protocolWords(protocolsOf(inUse))}) by ${describe(holder)}.`, undefined, {
      cause,
      suggestions: [free, stop, `Or choose another port: --bind ${first.host}:PORT`]
    })
  }
  if (first.problem === 'not-available') {
    return new ListenError(`Cannot listen on ${where}: ${first.host} is not an address of this machine.`, undefined, {
      cause,
      suggestions: [`Listen on every interface: --bind 0.0.0.0:${first.port}`, 'Or use one of this machine\'s addresses (ip -brief addr, or ifconfig)']
    })
  }
  if (first.problem === 'denied') {
    return new ListenError(`Cannot listen on ${where}: permission denied (ports below 1024 need administrator rights).`, undefined, {
      cause,
      suggestions: [`Use a port from 1024 up: --bind ${first.host}:9000`, free]
    })
  }
  return new ListenError(`Cannot listen on ${where} (${protocolWords(protocolsOf(failures))}): ${first.reason}`, undefined, {
    cause,
    suggestions: [free, 'Re-run with DEBUG=libp2p:transport* to see the details']
  })
}

/**
 * What a failed `Mesh.start` tells the user: a listen failure as above (with the holder of a
 * taken port looked up), anything else with its first line only, never a stack.
 */
export async function startError (err: unknown, lookup = findPortHolder): Promise<MielinError> {
  const message = (err as Error)?.message ?? String(err)
  const failures = parseListenFailures(message)
  if (failures.length === 0) {
    return new MeshStartError(`The mesh could not start: ${message.split('\n')[0]}`, undefined, {
      cause: err,
      suggestions: ['Re-run with DEBUG=mielin:*,libp2p:* to see what failed, and report it if it is not about this machine.']
    })
  }
  const inUse = failures.filter((f) => f.problem === 'in-use')
  const holder = inUse[0] === undefined ? undefined : await lookup(inUse[0].port, protocolsOf(inUse)).catch(() => undefined)
  return listenError(failures, holder, err)
}
