import { ExitCode, InvalidArgumentError, InvalidInputError, MielinError, UnavailableError } from '../errors.js'

/** Shapes or dtypes that an operation cannot take. */
export class TensorShapeError extends InvalidArgumentError {
  static override readonly defaultCode: string = 'E_TENSOR_SHAPE'
}

export class TensorDisposedError extends MielinError {
  static override readonly defaultCode: string = 'E_TENSOR_DISPOSED'
  static override readonly defaultExitCode: number = ExitCode.failure

  constructor (options: { cause?: unknown } = {}) {
    super('This tensor was disposed (explicitly or at the end of its tidy scope) and cannot be used.', undefined, {
      ...options,
      suggestions: ['Return the tensor from the tidy() callback to keep it, or keep it alive until you are done with it.']
    })
  }
}

/** The requested engine cannot run here. */
export class EngineUnavailableError extends UnavailableError {
  static override readonly defaultCode: string = 'E_ENGINE_UNAVAILABLE'
}

/** A file that is not a model we can run. */
export class ModelInvalidError extends InvalidInputError {
  static override readonly defaultCode: string = 'E_MODEL_INVALID'
}

export class ModelNotFoundError extends InvalidInputError {
  static override readonly defaultCode: string = 'E_NOT_FOUND'
}
