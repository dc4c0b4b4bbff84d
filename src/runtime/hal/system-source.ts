import { readdir, readFile } from 'node:fs/promises'
import os from 'node:os'
import { execa } from 'execa'
import type { HalSource } from './source.js'

export interface SystemSourceInit {
  /** How long one external tool (nvidia-smi, sysctl) may run, in ms. Default 3000. */
  execTimeoutMs?: number
}

/** The machine mielin runs on: real files from '/', tools through execa, and Node's `os` module. */
export function systemSource (init: SystemSourceInit = {}): HalSource {
  const timeout = init.execTimeoutMs ?? 3000
  const cpus = os.cpus()
  return {
    platform: process.platform,
    // os.machine() is `uname -m` (x86_64, aarch64, armv7l); process.arch would say x64/arm64.
    arch: os.machine(),
    release: os.release(),
    env: process.env,
    os: {
      cpuModel: cpus[0]?.model ?? '',
      logicalCores: os.availableParallelism(),
      totalMemoryBytes: os.totalmem(),
      freeMemoryBytes: os.freemem()
    },
    async readFile (path) {
      try {
        return await readFile(path, 'utf8')
      } catch {
        return undefined
      }
    },
    async listDir (path) {
      try {
        return await readdir(path)
      } catch {
        return []
      }
    },
    async exec (command, args, options = {}) {
      try {
        const result = await execa(command, args, {
          timeout,
          reject: false,
          stdin: 'ignore',
          ...(options.signal === undefined ? {} : { cancelSignal: options.signal })
        })
        if (result.failed || result.exitCode !== 0) return undefined
        return String(result.stdout)
      } catch {
        // A missing tool is not an error: most machines have no nvidia-smi.
        return undefined
      }
    }
  }
}
