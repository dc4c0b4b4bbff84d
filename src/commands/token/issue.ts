import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { nodeDataDirFlag, nodeDir } from '../../cli/node-client.js'
import { CLOCK_SKEW_SECONDS, issueToken, loadAdminKey, parseDuration, parseRights, readTokenClaims, type TokenClaims } from '../../runtime/mesh/index.js'

export default class TokenIssue extends BaseCommand {
  static override summary = 'Issue a signed capability token for an operator.'
  static override description = 'Signs a token with the cluster admin key (admin.key, which `mielin mesh init` made: run this on that node). An operator passes it with `--remote ADDR --token TOKEN`, and the node checks it on every request: the signature, the expiry, the right and the namespace.\n\n' +
    // one line per right, each short enough for an 80-column terminal: oclif wraps without indenting
    'RIGHTS (--rights, comma-separated)\n' +
    'deploy   agent deploy, --replace too\n' +
    'send     agent send\n' +
    'stop     agent stop\n' +
    'read     agent logs, --follow too (log lines carry whatever an agent prints)\n' +
    'migrate  reserved: moving agents between nodes is not built yet\n' +
    'admin    all of the above, and mesh leave (which needs --namespace "*")\n' +
    'Every right also lets the token look: mesh status, mesh peers, agent list and agent inspect.\n\n' +
    'NAMESPACES (--namespace, repeatable)\n' +
    'The rights hold only for agents in these namespaces, and agent list shows only theirs. "*" means all of them, and node-wide operations (mesh leave) need it. An agent is in "default" unless `agent deploy --namespace` put it elsewhere.\n\n' +
    'EXPIRY (--ttl)\n' +
    `A node accepts a token until its expiry plus ${CLOCK_SKEW_SECONDS} seconds, because the clock of the machine that issued it and the node's own clock may differ by that much. So a --ttl 1s token works for about ${CLOCK_SKEW_SECONDS + 1} s, and a token cannot be made to last less than that.\n\n` +
    'The token is a standard JWT (compact JWS, alg EdDSA), so any JWT tool decodes it: `sub` is the subject, `iat` and `exp` the issue and expiry times, `jti` its id, `rights` and `namespaces` what it grants.'
  static override examples = [
    { command: '<%= config.bin %> <%= command.id %> --rights deploy,send --namespace default --ttl 1h --subject alice', description: 'One hour of deploy and send in "default"' },
    { command: '<%= config.bin %> <%= command.id %> --rights read --namespace "*" --ttl 7d', description: 'Read-only everywhere for a week' },
    { command: '<%= config.bin %> <%= command.id %> --rights admin --namespace "*" --ttl 15m --subject oncall', description: 'Anything, anywhere, for 15 minutes' }
  ]

  static override flags = {
    'data-dir': nodeDataDirFlag,
    rights: Flags.string({ description: 'Comma-separated rights: deploy, send, stop, read, migrate, admin (see RIGHTS below).', required: true, helpValue: 'LIST' }),
    namespace: Flags.string({ description: 'Namespace the rights hold in (repeatable; "*" for all).', multiple: true, default: ['default'], helpValue: 'NS' }),
    ttl: Flags.string({ description: `Lifetime: 30s, 15m, 1h, 7d (nodes allow ${CLOCK_SKEW_SECONDS} s more for clock skew).`, default: '1h', helpValue: 'DURATION' }),
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
