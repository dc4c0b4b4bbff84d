// `npm run bench`: every mielin benchmark, each beside its anchor from the same run.
// Prints `name: value unit` lines. Not part of `npm test`: timings on shared machines are noisy.
// `npm run bench -- kernel` runs one section.
import os from 'node:os'
import { print } from './anchors.js'
import { benchDht } from './dht.js'
import { benchKernel } from './kernel.js'
import { benchMesh } from './mesh.js'
import { benchTensor } from './tensor.js'

const sections: Record<string, () => Promise<void>> = { tensor: benchTensor, kernel: benchKernel, mesh: benchMesh, dht: benchDht }
const wanted = process.argv.slice(2).filter((a) => a in sections)

print('bench_started', new Date().toISOString(), 'info')
print('node_version', process.version, 'info')
print('loadavg_1m_before', os.loadavg()[0], 'load')
for (const [name, run] of Object.entries(sections)) {
  if (wanted.length === 0 || wanted.includes(name)) await run()
}
