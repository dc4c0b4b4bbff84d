/**
 * Cluster auth: who may join the mesh and what operators may do in it.
 *
 * - Node identity: an ed25519 libp2p key in `<dataDir>/identity.key` (its peer id).
 * - Cluster membership: `<dataDir>/cluster.json` holds the cluster key (the libp2p private
 *   network key: without it a node cannot connect at all), the admin public key and bootstrap
 *   addresses. `mielin mesh init` makes one, plus `admin.key`, and prints a join token that
 *   `mielin mesh join` turns into the same cluster.json on the other nodes.
 * - Capability tokens: operators present standard JWTs (alg EdDSA) signed by the admin key,
 *   scoped to rights and namespaces, with an expiry; any JWT tool decodes one.
 *
 * All the files are written atomically with mode 0600. A join token contains the cluster
 * secret: treat it like a password.
 *
 * @example
 * ```ts
 * const { joinToken, adminKey } = await initCluster(dataDir, { bootstrap: ['/ip4/10.0.0.1/tcp/9000/p2p/12D3…'] })
 * await joinCluster(otherDataDir, joinToken)
 * const { clusterKey } = await loadCluster(otherDataDir)
 * const node = await createLibp2p({
 *   privateKey: await loadOrCreateIdentity(otherDataDir),
 *   connectionProtector: preSharedKey({ psk: pskBytes(clusterKey) })
 * })
 * const token = await issueToken({ adminKey, subject: 'alice', rights: ['deploy'], namespaces: ['default'], ttlSeconds: parseDuration('1h') })
 * await verifyToken(token, adminKey.publicKey, { right: 'deploy', namespace: 'default' })
 * ```
 */
export {
  ADMIN_KEY_FILE, CLUSTER_FILE, CLUSTER_KEY_LENGTH, initCluster, joinCluster, loadAdminKey, loadCluster, pskBytes, saveCluster,
  type ClusterConfig, type InitClusterOptions, type InitClusterResult
} from './cluster.js'
export {
  ClusterConfigError, ClusterExistsError, FIX_ISSUE_TOKEN, NoAdminKeyError, NoClusterError,
  TokenExpiredError, TokenForgedError, TokenMalformedError, TokenScopeError
} from './errors.js'
export { IDENTITY_FILE, loadOrCreateIdentity } from './identity.js'
export { decodeJoinToken, encodeJoinToken, JOIN_TOKEN_PREFIX, joinTarget, type JoinTarget, type JoinTokenContent } from './join-token.js'
export { CLOCK_SKEW_SECONDS, issueToken, verifyToken, type IssueTokenOptions, type VerifyTokenOptions } from './token.js'
export { readTokenClaims, RIGHTS, tokenClaimsSchema, type Right, type TokenClaims } from './token-claims.js'
export { parseDuration, parseRights } from './token-input.js'
export { TOKEN_ALGORITHM } from './token-keys.js'
