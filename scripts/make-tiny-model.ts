// Writes templates/models/tiny-mlp.onnx (see scripts/tiny-mlp.ts). Run: npm run fixtures:model
import { writeFile } from 'node:fs/promises'
import { buildTinyMlp } from './tiny-mlp.js'

const out = new URL('../templates/models/tiny-mlp.onnx', import.meta.url)
await writeFile(out, buildTinyMlp())
console.log(`wrote ${out.pathname}`)
