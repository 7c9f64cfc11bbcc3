/**
 * `@dify-logs/core/archive`: the partitioned archive (per job, app and UTC day, with manifests) read and written
 * directly: what `createDifyLogs` does through `runtime.readArchive`, `archive verify` and the archive edits, for
 * services that hold a storage adapter themselves.
 */
export {
  createArchiveWriter,
  readArchive,
  readArchivedMessages,
  readArchivedConversations,
  verifyArchive,
  listPartitions,
  removeOrphanParts,
  RUNS,
  MESSAGES,
  CONVERSATIONS,
  type ArchiveDataset,
  type ArchiveDatasetName,
  type ArchiveWriter,
  type ArchiveWriterOptions,
  type ArchivePartFormat,
  type DatasetCodec,
  type ArchiveResult,
  type ArchiveQuery,
  type ArchiveProblem,
  type ArchiveReadOptions,
  type ArchiveManifest,
  type ArchivePart,
  type ArchiveAlternate,
  type OrphanPartOptions,
  type ArchiveEditRequest,
  type ArchiveEditResult,
  type ForgetEndUserRequest,
  type SinkEditResult,
  type RewriteArchiveResult,
  type RewrittenPartition,
  type RewriteMessagesResult,
} from '../archive/index.js';
