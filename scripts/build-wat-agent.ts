// Builds test/fixtures/agents/echo.wasm, a component of the `agent` world, from the hand-written
// core module test/fixtures/agents/echo.wat: WAT → core module → WIT embedded → component.
// echo leaves out the world's optional `on-batch` export on purpose: it is the agent that
// shows a node runs components without it (one on-message call per message).
// Run: npx tsx scripts/build-wat-agent.ts
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { componentEmbed, componentNew, parse } from '@bytecodealliance/jco'

export const ECHO_WAT = new URL('../test/fixtures/agents/echo.wat', import.meta.url)
export const ECHO_WASM = new URL('../test/fixtures/agents/echo.wasm', import.meta.url)
export const AGENT_WIT = new URL('../templates/wit/agent.wit', import.meta.url)

/** The world's WIT without its optional `on-batch` export (and that export's doc comment). */
export function withoutOnBatch (wit: string): string {
  return wit.replace(/(\n[ \t]*\/\/\/[^\n]*)*\n[ \t]*export on-batch:[^;]*;/, '')
}

/** Turns a core module in WAT that implements the `agent` world (without on-batch) into a component. */
export async function buildWatAgent (wat: string, wit: string): Promise<Uint8Array> {
  const core = await parse(wat)
  const embedded = await componentEmbed({ binary: core, witSource: withoutOnBatch(wit), world: 'agent', stringEncoding: 'utf8' })
  return await componentNew(embedded)
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const component = await buildWatAgent(await readFile(ECHO_WAT, 'utf8'), await readFile(AGENT_WIT, 'utf8'))
  await writeFile(ECHO_WASM, component)
  console.log(`wrote ${fileURLToPath(ECHO_WASM)} (${component.length} bytes)`)
}
