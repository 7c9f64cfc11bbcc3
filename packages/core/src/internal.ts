/**
 * `@dify-logs/core/internal`: for the @dify-logs packages only (the CLI above all). What is here is shared between
 * core and those packages and carries no compatibility promise: any release may change or remove it. End users import
 * `@dify-logs/core`; adapter authors `@dify-logs/core/adapter-kit`.
 */
export { defaultReporters, renderMarkdown, reportReadyMessage, failureMessage } from './pipeline/index.js';
export {
  CORE_NOTIFIER_TYPES,
  CORE_OUTPUT_FORMATS,
  SECRET_KEY_VARIABLE,
  isSecretPath,
  isEncryptedSecret,
  redactConfig,
  readDataFile,
} from './config/index.js';
export { compareAnalyses } from './analysis/index.js';
export { runRecordJsonSchema } from './records/schema.js';
export { ARCHIVE_TYPE, findOrphanParts, ORPHAN_MIN_AGE_HOURS } from './archive/index.js';
export { formatReporters, registeredArchiveFormats } from './runtime/index.js';
