import { InvalidInputError } from '../errors.js'

/** Bytes that are not a component of the `mielin:agent` world. */
export class WasmInvalidError extends InvalidInputError {
  static override readonly defaultCode: string = 'E_WASM_INVALID'
}

export const FIX_WASM = 'Build the agent with `mielin agent build` (or any toolchain targeting the mielin:agent@0.1.0 world in templates/wit/agent.wit).'
