import { ExitCode, InvalidArgumentError, InvalidInputError, MielinError, UsageError } from '../../errors.js'

/** The command operators run to get a capability token from the cluster admin. */
export const FIX_ISSUE_TOKEN = 'mielin token issue --rights deploy,send --namespace default --ttl 1h'

/** `mielin mesh init` found a cluster.json already there. */
export class ClusterExistsError extends UsageError {
  static override readonly defaultCode: string = 'E_CLUSTER_EXISTS'
}

/** This data dir belongs to no cluster yet. */
export class NoClusterError extends InvalidInputError {
  static override readonly defaultCode: string = 'E_NO_CLUSTER'
}

/** cluster.json or identity.key is there but unreadable or not what it should be. */
export class ClusterConfigError extends InvalidInputError {
  static override readonly defaultCode: string = 'E_CLUSTER_INVALID'
}

/** Issuing tokens needs the cluster's admin key, which only the `mesh init` node has. */
export class NoAdminKeyError extends MielinError {
  static override readonly defaultCode: string = 'E_NO_ADMIN_KEY'
  static override readonly defaultExitCode: number = ExitCode.denied
}

/** Not a token at all, or a mistyped / truncated one (capability or join token). */
export class TokenMalformedError extends MielinError {
  static override readonly defaultCode: string = 'E_TOKEN_MALFORMED'
  static override readonly defaultExitCode: number = ExitCode.denied
}

/** A well-formed token whose signature is not the cluster admin's: altered, or from another cluster. */
export class TokenForgedError extends MielinError {
  static override readonly defaultCode: string = 'E_TOKEN_FORGED'
  static override readonly defaultExitCode: number = ExitCode.denied
}

export class TokenExpiredError extends MielinError {
  static override readonly defaultCode: string = 'E_TOKEN_EXPIRED'
  static override readonly defaultExitCode: number = ExitCode.denied
}

/** A valid token that does not grant the right or namespace the operation needs. */
export class TokenScopeError extends MielinError {
  static override readonly defaultCode: string = 'E_TOKEN_SCOPE'
  static override readonly defaultExitCode: number = ExitCode.denied
}

export { InvalidArgumentError }
