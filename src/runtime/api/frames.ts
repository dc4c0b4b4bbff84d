/**
 * The control protocol over libp2p: operators from afar, a capability token with every
 * request. Its frames are the mesh's default size (1 MiB): a deploy from afar sends the
 * component in `agent.upload` chunks first (./component-upload.ts).
 */
export const CONTROL_PROTOCOL = '/mielin/control/1.0.0'
