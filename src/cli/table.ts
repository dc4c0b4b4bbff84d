/**
 * Rows as aligned columns under a header line, drawn by @oclif/table. Commands print the
 * returned string with `this.log`, so a table goes to stdout like any other output and is
 * skipped under `--json`.
 *
 * @example
 * ```ts
 * if (!this.jsonEnabled()) this.log(await table([{ key: 'id', name: 'ID' }], agents.map((a) => ({ id: a.id }))))
 * ```
 */

/** One column: the row field it shows and its header. */
export interface Column<K extends string> {
  key: K
  name: string
  /** Numbers read best right-aligned. Default: 'left'. */
  align?: 'left' | 'right'
}

/** Where the table will be shown; it decides whether colour is allowed. */
export interface TableTarget {
  /** Whether the output is a terminal. Default: `process.stdout.isTTY`. */
  isTTY?: boolean
  /** Where NO_COLOR is read. Default: `process.env`. */
  env?: Record<string, string | undefined>
}

/** Colour only for a person at a terminal who has not asked for none (https://no-color.org). */
export function colourAllowed ({ isTTY = process.stdout.isTTY === true, env = process.env }: TableTarget = {}): boolean {
  return isTTY && (env.NO_COLOR === undefined || env.NO_COLOR === '')
}

/**
 * The table as text. Borderless, so piped output reads like what a person sees and stays easy
 * to grep; never truncated, because ids in it are meant to be copied whole.
 */
export async function table<K extends string> (
  columns: Array<Column<K>>,
  rows: Array<Record<K, string | number>>,
  target: TableTarget = {}
): Promise<string> {
  // Loaded here, not at the top: ink and React cost a few hundred ms, and --json never needs them.
  const { makeTable } = await import('@oclif/table')
  const text = makeTable({
    data: rows,
    columns: columns.map((c) => ({ key: c.key, name: c.name, horizontalAlignment: c.align ?? 'left' })),
    borderStyle: 'none',
    maxWidth: 'none',
    // Cells keep their leading spaces (mesh peers marks its own node with "* " before the name).
    trimWhitespace: false,
    // noStyle is the only way to turn colour off: @oclif/table ignores NO_COLOR on a terminal.
    noStyle: !colourAllowed(target)
  })
  return flushLeft(text)
}

/**
 * @oclif/table surrounds a borderless table with blank lines and indents it by the empty left
 * border plus the cell padding; this drops both so the table lines up with the lines around it.
 */
function flushLeft (text: string): string {
  // The indent is two spaces, with the header's colour codes (if any) between them.
  // eslint-disable-next-line no-control-regex -- \x1b starts the ANSI colour codes it skips
  const lines = text.split('\n').map((l) => l.replace(/^ ((?:\x1b\[[\d;]*m)*) /, '$1').trimEnd())
  while (lines[0] === '') lines.shift()
  while (lines.at(-1) === '') lines.pop()
  return lines.join('\n')
}
