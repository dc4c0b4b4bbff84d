/** Choosing and creating a tensor engine. */
import os from 'node:os'
import { InvalidArgumentError, throwIfAborted } from '../errors.js'
import { detectHardware } from '../hal/index.js'
import type { HardwareProfile } from '../hal/index.js'
import { createOnnxBackend } from './backends/onnx.js'
import { createTfjsBackend } from './backends/tfjs.js'
import { chooseEngine, type EngineChoice, type EngineProbe } from './choose-engine.js'
import { DefaultTensorEngine, type TensorEngine } from './engine.js'
import { EngineUnavailableError } from './errors.js'
import { NOT_PROBED, probeEngine } from './probe-engines.js'
import { ENGINE_NAMES, type Backend, type EngineName } from './types.js'

export interface TensorEngineInit {
  /** Use this engine instead of the best one; default: $MIELIN_TENSOR_ENGINE, else the best. */
  engine?: EngineName
  /** The hardware profile to choose from; default: detected now. */
  hardware?: HardwareProfile
  /** Threads onnxruntime runs on (onnx ops, ONNX models); default: the CPUs this process may use. */
  threads?: number
  signal?: AbortSignal
}

/** Checks a user-given engine name; a wrong one lists the valid ones. */
export function parseEngineName (value: string): EngineName {
  if ((ENGINE_NAMES as readonly string[]).includes(value)) return value as EngineName
  throw InvalidArgumentError.choice('engine', value, ENGINE_NAMES)
}

function preferredEngine (init: TensorEngineInit): EngineName | undefined {
  if (init.engine !== undefined) return init.engine
  const env = process.env.MIELIN_TENSOR_ENGINE
  return env === undefined || env === '' ? undefined : parseEngineName(env)
}

/**
 * Works out which engine to use and why. With `probeAll`, every engine is loaded to report
 * on it; otherwise engines are probed best first until one loads.
 */
export async function selectEngine (init: TensorEngineInit & { probeAll?: boolean } = {}): Promise<EngineChoice & { hardware: HardwareProfile }> {
  throwIfAborted(init.signal)
  const hardware = init.hardware ?? await detectHardware({ signal: init.signal })
  const prefer = preferredEngine(init)
  const probes = Object.fromEntries(ENGINE_NAMES.map((n) => [n, NOT_PROBED])) as Record<EngineName, EngineProbe>
  let found = false
  for (const name of ENGINE_NAMES) {
    const wanted = init.probeAll === true || (prefer === undefined ? !found : name === prefer)
    if (!wanted) continue
    throwIfAborted(init.signal)
    probes[name] = await probeEngine(name)
    found ||= probes[name].loaded
  }
  const choice = chooseEngine(hardware, probes, prefer)
  if (prefer !== undefined && choice.chosen !== prefer) {
    const c = choice.candidates.find((x) => x.name === prefer)
    throw new EngineUnavailableError(`The ${prefer} engine cannot run here: ${c?.reason ?? 'unknown'}.`, undefined, {
      suggestions: [`Use another engine (${ENGINE_NAMES.filter((n) => n !== prefer).join(', ')}), or leave --engine out to pick the best one.`]
    })
  }
  return { ...choice, hardware }
}

/** Creates the chosen (or requested) engine. Close it when done to free native sessions. */
export async function createTensorEngine (init: TensorEngineInit = {}): Promise<TensorEngine> {
  const { chosen, hardware } = await selectEngine(init)
  const threads = Math.max(1, Math.floor(init.threads ?? hardware.limits.cpus ?? os.availableParallelism()))
  const backend: Backend = chosen === 'onnx'
    ? await createOnnxBackend({ threads }) as Backend
    : await createTfjsBackend(chosen) as Backend
  return new DefaultTensorEngine(backend, threads)
}
