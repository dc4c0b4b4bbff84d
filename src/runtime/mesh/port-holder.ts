/**
 * Who holds a port: the sockets bound to it from `/proc/net/{tcp,udp}{,6}`, then the process
 * whose open files include one of them (`/proc/<pid>/fd`). Linux only, and best effort: the
 * processes of other users cannot be looked into, so for them only their uid is known.
 * Elsewhere it finds nothing, and the error says how to look.
 */
import { readdir, readFile, readlink } from 'node:fs/promises'
import path from 'node:path'

export type PortProtocol = 'tcp' | 'udp'

/** A socket bound to the port, from a /proc/net table. */
export interface BoundSocket { inode: number, uid: number }

/** What is known of the process that holds a port. */
export interface PortHolder {
  /** Present when the process could be found (one of this user's). */
  pid?: number
  /** Its command line, split into arguments. */
  argv?: string[]
  /** Its working directory, to resolve the relative paths of its arguments. */
  cwd?: string
  uid: number
}

// /proc/net state column: 0A is LISTEN for TCP; 07 (TCP_CLOSE) is how an unconnected, bound UDP socket shows
const BOUND_STATE: Record<PortProtocol, string> = { tcp: '0A', udp: '07' }

/**
 * The sockets of a /proc/net/tcp or udp table (v4 or v6) bound to `port`, on any address.
 * Columns: sl, local_address (hex ip:port), rem_address, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode.
 */
export function parseProcNet (table: string, port: number, protocol: PortProtocol): BoundSocket[] {
  const out: BoundSocket[] = []
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/)
    if (cols.length < 10) continue
    const localPort = parseInt(cols[1]?.split(':')[1] ?? '', 16)
    if (localPort !== port || cols[3] !== BOUND_STATE[protocol]) continue
    const inode = Number(cols[9])
    if (inode > 0) out.push({ inode, uid: Number(cols[7]) })
  }
  return out
}

/** The inode a `/proc/<pid>/fd/<n>` link names when it is a socket (`socket:[12345]`). */
export function socketInode (link: string): number | undefined {
  const m = /^socket:\[(\d+)\]$/.exec(link)
  return m === null ? undefined : Number(m[1])
}

const readText = async (file: string): Promise<string> => await readFile(file, 'utf8').catch(() => '')

async function boundSockets (port: number, protocol: PortProtocol, proc: string): Promise<BoundSocket[]> {
  const tables = await Promise.all(['', '6'].map(async (v) => await readText(path.join(proc, 'net', `${protocol}${v}`))))
  return tables.flatMap((t) => parseProcNet(t, port, protocol))
}

/** The first process (of those this user may look into) with one of these sockets open. */
async function processWith (inodes: Set<number>, proc: string): Promise<number | undefined> {
  const pids = (await readdir(proc).catch(() => [])).filter((d) => /^\d+$/.test(d))
  for (const pid of pids) {
    const fdDir = path.join(proc, pid, 'fd')
    const fds = await readdir(fdDir).catch(() => []) // EACCES for other users' processes
    for (const fd of fds) {
      const inode = socketInode(await readlink(path.join(fdDir, fd)).catch(() => ''))
      if (inode !== undefined && inodes.has(inode)) return Number(pid)
    }
  }
  return undefined
}

/**
 * Who holds `port` for any of `protocols`, or undefined when nothing is found (not Linux, or
 * the port is free again). `proc` is the procfs root (tests point it elsewhere).
 */
export async function findPortHolder (port: number, protocols: readonly PortProtocol[], proc = '/proc'): Promise<PortHolder | undefined> {
  const sockets = (await Promise.all(protocols.map(async (p) => await boundSockets(port, p, proc)))).flat()
  const first = sockets[0]
  if (first === undefined) return undefined
  const pid = await processWith(new Set(sockets.map((s) => s.inode)), proc)
  if (pid === undefined) return { uid: first.uid }
  const argv = (await readText(path.join(proc, String(pid), 'cmdline'))).split('\0').filter((a) => a !== '')
  const cwd = await readlink(path.join(proc, String(pid), 'cwd')).catch(() => undefined)
  return { pid, uid: first.uid, ...(argv.length > 0 ? { argv } : {}), ...(cwd === undefined ? {} : { cwd }) }
}
