import type { WasmFeatures } from './types.js'

/**
 * Tiny hand-written WebAssembly modules, one per feature, each valid only on an engine that
 * knows the feature. `WebAssembly.validate` compiles nothing and runs nothing, so probing is
 * cheap and safe. Each module is `\0asm` version 1 followed by the sections shown in WAT.
 */
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)] // v128.const i32x4 0 0 0 0

export const WASM_PROBES: Readonly<Record<keyof WasmFeatures, readonly number[]>> = {
  // (module (func (result v128) (v128.const i32x4 0 0 0 0)))
  simd: [
    ...HEADER,
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: [] -> [v128]
    0x03, 0x02, 0x01, 0x00, // function section: func 0 has type 0
    0x0a, 0x16, 0x01, 0x14, 0x00, ...V128_ZERO, 0x0b // code: no locals, v128.const, end
  ],
  // (module (func (result v128) (i8x16.relaxed_swizzle (v128.const i32x4 0 0 0 0) (v128.const i32x4 0 0 0 0))))
  relaxedSimd: [
    ...HEADER,
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
    0x03, 0x02, 0x01, 0x00,
    0x0a, 0x2b, 0x01, 0x29, 0x00, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x80, 0x02, 0x0b // 0xfd 0x100: relaxed_swizzle
  ],
  // (module (memory 1 1 shared) (func (drop (i32.atomic.load (i32.const 0)))))
  threads: [
    ...HEADER,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: [] -> []
    0x03, 0x02, 0x01, 0x00,
    0x05, 0x04, 0x01, 0x03, 0x01, 0x01, // memory section: flags 3 = has max + shared, min 1, max 1
    0x0a, 0x0b, 0x01, 0x09, 0x00, 0x41, 0x00, 0xfe, 0x10, 0x02, 0x00, 0x1a, 0x0b // i32.const 0, i32.atomic.load align=2, drop
  ],
  // (module (memory i64 1))
  memory64: [
    ...HEADER,
    0x05, 0x03, 0x01, 0x04, 0x01 // memory section: flags 4 = 64-bit index, min 1
  ],
  // (module (func (try (do) (catch_all))))  — exception handling as engines shipped it first
  // (try/catch_all); the newer exnref form (try_table) is still behind a flag in Node 22.
  exceptions: [
    ...HEADER,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
    0x03, 0x02, 0x01, 0x00,
    0x0a, 0x08, 0x01, 0x06, 0x00, 0x06, 0x40, 0x19, 0x0b, 0x0b // try (empty block type), catch_all, end, end
  ]
}

/** The part of the WebAssembly API the probe needs; the global one by default. */
export interface WasmValidator {
  validate: (bytes: Uint8Array) => boolean
}

/**
 * Which WebAssembly features this JavaScript engine supports. With no WebAssembly at all
 * (`node --jitless`, some sandboxes; or `null` here) every feature is false.
 */
export function probeWasmFeatures (engine: WasmValidator | null = (globalThis as { WebAssembly?: WasmValidator }).WebAssembly ?? null): WasmFeatures {
  const has = (bytes: readonly number[]): boolean => {
    try {
      return engine?.validate(new Uint8Array(bytes)) === true
    } catch {
      return false
    }
  }
  return {
    simd: has(WASM_PROBES.simd),
    relaxedSimd: has(WASM_PROBES.relaxedSimd),
    threads: has(WASM_PROBES.threads),
    memory64: has(WASM_PROBES.memory64),
    exceptions: has(WASM_PROBES.exceptions)
  }
}
