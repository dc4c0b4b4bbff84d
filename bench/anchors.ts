import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'

/**
 * Anchors are reference programs measured in the same run as mielin (../shared/anchors,
 * present on the project's own machines only). A missing anchor is reported, never faked.
 */
export const ANCHORS_DIR = process.env.MIELIN_ANCHORS ?? fileURLToPath(new URL('../../shared/anchors/', import.meta.url))

export interface Figure { name: string, value: number, unit: string }

/** Parses `name: value unit` lines; lines whose value is not a number are skipped. */
export function parseFigures (text: string): Figure[] {
  return text.split('\n').flatMap((line) => {
    const m = /^([\w.-]+):\s+(-?[\d.]+)\s+(\S+)\s*$/.exec(line.trim())
    return m === null ? [] : [{ name: m[1], value: Number(m[2]), unit: m[3] }]
  })
}

export type AnchorRun = { figures: Figure[], text: string } | { missing: string }

/**
 * Runs an anchor script from ANCHORS_DIR/bench (with `bash`, or `runner` such as python3),
 * or explains why it cannot.
 */
export async function runAnchor (script: string, args: string[] = [], options: { runner?: string, env?: Record<string, string> } = {}): Promise<AnchorRun> {
  const path = `${ANCHORS_DIR}/bench/${script}`
  if (!existsSync(path)) return { missing: `${path} not found (anchors live in ../shared/anchors on mielin's own machines)` }
  try {
    const { stdout } = await execa(options.runner ?? 'bash', [path, ...args], { timeout: 10 * 60_000, env: options.env })
    return { figures: parseFigures(stdout), text: stdout }
  } catch (err) {
    const setUp = existsSync(`${ANCHORS_DIR}/node_modules`) ? '' : ` (${ANCHORS_DIR} is not set up: \`cp -r ${ANCHORS_DIR} /tmp/anchors && bash /tmp/anchors/setup.sh\`, then run the bench with MIELIN_ANCHORS=/tmp/anchors)`
    return { missing: `${script} failed: ${(err as Error).message.split('\n')[0]}${setUp}` }
  }
}

export function print (name: string, value: number | string, unit: string): void {
  console.log(`${name}: ${typeof value === 'number' ? value.toFixed(value >= 100 ? 0 : 2) : value} ${unit}`)
}
