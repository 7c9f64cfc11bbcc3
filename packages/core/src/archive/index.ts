export {
  createArchiveWriter,
  readManifests,
  type ArchiveWriter,
  type ArchiveWriterOptions,
  type ArchiveResult,
  type ArchivePartFormat,
} from './archive-writer.js';
export type { DatasetCodec } from './part-format.js';
export {
  readArchive,
  readArchivedMessages,
  readArchivedConversations,
  verifyArchive,
  listPartitions,
  type ArchiveQuery,
  type ArchiveProblem,
  type ArchiveReadOptions,
} from './archive-reader.js';
export { ARCHIVE_TYPE, type ArchiveManifest, type ArchivePart, type ArchiveAlternate } from './manifest.js';
export { findOrphanParts, removeOrphanParts, ORPHAN_MIN_AGE_HOURS, type OrphanPartOptions } from './orphans.js';
export { rewriteArchive, type RecordRewrite, type RewriteArchiveResult, type RewrittenPartition } from './rewrite.js';
export { rewriteMessages, type RewriteMessagesResult } from './messages-rewrite.js';
export {
  forgetEndUser,
  redactArchive,
  type ArchiveEditRequest,
  type ArchiveEditResult,
  type ForgetEndUserRequest,
  type SinkEditResult,
} from './forget.js';
export { RUNS, MESSAGES, CONVERSATIONS, type ArchiveDataset, type ArchiveDatasetName } from './dataset.js';
