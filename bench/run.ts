// `npm run bench`: every mielin benchmark, each beside its anchor from the same run.
// Prints `name: value unit` lines. Not part of `npm test`: timings on shared machines are noisy.
import os from 'node:os'
import { print } from './anchors.js'
import { benchTensor } from './tensor.js'

print('bench_started', new Date().toISOString(), 'info')
print('node_version', process.version, 'info')
print('loadavg_1m_before', os.loadavg()[0], 'load')
await benchTensor()
