import { ExitCode, InvalidArgumentError, InvalidInputError, MielinError, UsageError } from '../errors.js'

/** TypeScript found errors in the agent's source (messages are file:line:col). */
export class AgentTypeScriptError extends InvalidInputError {
  static override readonly defaultCode: string = 'E_AGENT_TYPESCRIPT'
}

/** The agent does not export what the world needs (a default `defineAgent(...)`). */
export class AgentExportsError extends InvalidInputError {
  static override readonly defaultCode: string = 'E_AGENT_EXPORTS'
}

/** The agent imports something the sandbox does not have, or that is not installed. */
export class AgentImportsError extends InvalidInputError {
  static override readonly defaultCode: string = 'E_AGENT_IMPORTS'
}

/** esbuild could not bundle the agent for another reason. */
export class AgentBundleError extends InvalidInputError {
  static override readonly defaultCode: string = 'E_AGENT_BUNDLE'
}

/** componentize-js failed to turn the bundle into a component. */
export class ComponentizeError extends MielinError {
  static override readonly defaultCode: string = 'E_AGENT_COMPONENTIZE'
  static override readonly defaultExitCode: number = ExitCode.failure
}

/** The target directory of `mielin new agent` already holds files. */
export class DirNotEmptyError extends UsageError {
  static override readonly defaultCode: string = 'E_DIR_NOT_EMPTY'
}

/** No agent project here (no mielin.json, no src/agent.ts). */
export class ProjectNotFoundError extends InvalidInputError {
  static override readonly defaultCode: string = 'E_NOT_FOUND'
}

export { InvalidArgumentError }
