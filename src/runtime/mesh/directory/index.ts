export { EpochConflictError, newer, type Directory, type DirectoryEntry } from './directory.js'
export { DhtDirectory, type DhtDirectoryDeps } from './dht-directory.js'
export { RECORD_PREFIX, recordKey, selectRecord, signRecord, verifyRecord } from './records.js'
