/**
 * The mielin runtime: everything a node embeds, without any CLI or terminal code.
 *
 * @example
 * ```ts
 * import { detectHardware, createTensorEngine } from 'mielin/runtime'
 * const hw = await detectHardware()
 * const engine = await createTensorEngine({ hardware: hw })
 * ```
 */
export * from './errors.js'
export * from './logger.js'
export * from './hal/index.js'
export * from './tensor/index.js'
