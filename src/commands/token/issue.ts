import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { nodeDataDirFlag, nodeDir } from '../../cli/node-client.js'
import { CLOCK_SKEW_SECONDS, issueToken, loadAdminKey, parseDuration, parseRights, readTokenClaims, type TokenClaims } from '../../runtime/mesh/index.js'

export default class TokenIssue extends BaseCommand {
  static override summary = 'Issue a signed capability token for an operator.'
  static override description = 'Signs a token with the cluster admin key (admin.key, made by `mielin mesh init`) granting rights (deploy, stop, migrate, send, read, admin) in namespaces until it expires. Nodes check it on every remote control request.\n\n' +
    'The token is a standard JWT (compact JWS, alg EdDSA), so any JWT tool decodes it: `sub` is the subject, `iat` and `exp` the issue and expiry times, `jti` its id, `rights` and `namespaces` what it grants.\n\n' +
    `A node still accepts a token up to ${CLOCK_SKEW_SECONDS} seconds after it expires, because the clock of the machine that issued it and the node's own clock may differ by that much.`
  static override examples = [
    { command: '<%= config.bin %> <%= command.id %> --rights deploy,send --namespace default --ttl 1h --subject alice', description: 'One hour of deploy and send in "default"' },
    { command: '<%= config.bin %> <%= command.id %> --rights read --namespace "*" --ttl 7d', description: 'Read-only everywhere for a week' }
  ]

  static override flags = {
    'data-dir': nodeDataDirFlag,
    rights: Flags.string({ description: 'Comma-separated rights: deploy, stop, migrate, send, read, admin.', required: true, helpValue: 'LIST' }),
    namespace: Flags.string({ description: 'Namespace it applies to (repeatable; "*" for all).', multiple: true, default: ['default'], helpValue: 'NS' }),
    ttl: Flags.string({ description: 'Lifetime: 30s, 15m, 1h, 7d.', default: '1h', helpValue: 'DURATION' }),
    subject: Flags.string({ description: 'Who it is for (shown in node logs).', default: 'operator', helpValue: 'NAME' })
  }

  async run (): Promise<{ token: string, claims: TokenClaims }> {
    const { flags } = await this.parse(TokenIssue)
    const adminKey = await loadAdminKey(nodeDir(flags['data-dir']))
    const token = await issueToken({ adminKey, subject: flags.subject, rights: parseRights(flags.rights), namespaces: flags.namespace, ttlSeconds: parseDuration(flags.ttl) })
    this.log(token)
    return { token, claims: readTokenClaims(token) }
  }
}
