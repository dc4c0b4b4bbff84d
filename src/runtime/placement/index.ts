/**
 * Hardware- and load-aware placement: which node of the cluster should run an agent.
 *
 * @example
 * ```ts
 * const spec = parseRequirements(['simd=avx2', 'label=zone=c'], manifest.placement)
 * const node = place(spec, nodes)   // the least loaded node that meets every constraint, or NoNodeFitsError
 * ```
 */
export { hardwareSummary, NoNodeFitsError, parseRequirements, place, unmet, type NodeSummary } from './place.js'
