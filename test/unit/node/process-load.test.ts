// What a node says of its own load: its process's CPU share since the last beat and its RSS,
// never the machine's load average (the same on every node of a machine).
import os from 'node:os'
import t from 'tap'
import { processLoad } from '../../../src/runtime/node/process-load.js'

t.test('the CPU time between two beats, as a share of all the cores', async (t) => {
  let cpuUs = 5_000_000 // what the process used before the sampler was made does not count
  let nowMs = 1000
  const sample = processLoad({ cores: 4, cpuUsage: () => ({ user: cpuUs * 0.75, system: cpuUs * 0.25 }), rss: () => 123 << 20, now: () => nowMs })
  cpuUs += 2_000_000 // 2 s of CPU (two busy threads)…
  nowMs += 1000 // …in 1 s: half of 4 cores
  t.same(sample(), { cpu: 0.5, memory: 123 << 20 })
  nowMs += 1000 // idle for the next second
  t.same(sample(), { cpu: 0, memory: 123 << 20 })
  cpuUs += 9_000_000
  nowMs += 1000
  t.equal(sample().cpu, 1, 'capped at all the cores (a limit rounded down can be exceeded)')
  t.equal(sample().cpu, 0, 'no time passed: nothing to share')
})

t.test('measured for real: a busy main thread shows, and RSS is the process\'s', async (t) => {
  const sample = processLoad({ cores: 1 })
  const until = performance.now() + 300
  while (performance.now() < until) { /* keep one core busy */ }
  const { cpu, memory } = sample()
  // one busy thread on one core is ~1; a shared machine may lend it less, never none
  t.ok(cpu > 0.3 && cpu <= 1, `cpu ${cpu} of one core while busy`)
  t.ok(memory > 10 << 20 && memory < os.totalmem(), `rss ${memory} bytes`)
})
