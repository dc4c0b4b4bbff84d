// The part of the WebAssembly JS API mielin uses. TypeScript ships these only in lib.dom,
// which would also declare browser globals that do not exist in Node.
declare namespace WebAssembly {
  type BufferSource = ArrayBufferView | ArrayBuffer
  type ImportValue = unknown
  type Imports = Record<string, Record<string, ImportValue>>
  type Exports = Record<string, unknown>
  class Module {
    constructor (bytes: BufferSource)
  }
  class Instance {
    constructor (module: Module, imports?: Imports)
    readonly exports: Exports
  }
  class Memory {
    constructor (descriptor: { initial: number, maximum?: number, shared?: boolean })
    readonly buffer: ArrayBuffer
    grow (delta: number): number
  }
  class CompileError extends Error {}
  class LinkError extends Error {}
  class RuntimeError extends Error {}
  function compile (bytes: BufferSource): Promise<Module>
  function validate (bytes: BufferSource): boolean
  function instantiate (bytes: BufferSource, imports?: Imports): Promise<{ module: Module, instance: Instance }>
  function instantiate (module: Module, imports?: Imports): Promise<Instance>
}
