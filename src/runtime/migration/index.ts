/**
 * Moving an agent with its state and queue. Today: between two kernels of one process
 * (freeze → snapshot → deploy on the target → release the source, which forwards).
 *
 * @example
 * ```ts
 * const report = await migrateLocal(source, target, 'hello')
 * ```
 */
export { migrateLocal, type MigrationReport } from './local.js'
