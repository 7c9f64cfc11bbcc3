export {
  createArchiveWriter,
  readManifests,
  type ArchiveWriterOptions,
  type ArchiveResult,
  type ArchivePartFormat,
} from './archive-writer.js';
export {
  readArchive,
  verifyArchive,
  listPartitions,
  type ArchiveQuery,
  type ArchiveProblem,
  type ArchiveReadOptions,
} from './archive-reader.js';
export { ARCHIVE_TYPE, type ArchiveManifest, type ArchivePart, type ArchiveAlternate } from './manifest.js';
export { findOrphanParts, removeOrphanParts, ORPHAN_MIN_AGE_HOURS, type OrphanPartOptions } from './orphans.js';
