/**
 * The control protocol over libp2p: operators from afar, a capability token with every
 * request. Its frames are the mesh's default size (1 MiB): a deploy from afar would send the
 * component inline, and `agent deploy` has no --remote.
 */
export const CONTROL_PROTOCOL = '/mielin/control/1.0.0'
