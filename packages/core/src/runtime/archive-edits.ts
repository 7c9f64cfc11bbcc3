import { randomBytes } from 'node:crypto';
import type { Sink } from '../adapters/sink.js';
import type { StorageAdapter } from '../adapters/storage.js';
import { compactTimestamp } from '../adapters/keys.js';
import type { ArchivePartFormat } from '../archive/archive-writer.js';
import {
  forgetEndUser,
  redactArchive,
  type ArchiveEditRequest,
  type ArchiveEditResult,
  type ForgetEndUserRequest,
} from '../archive/forget.js';
import type { DifyLogsConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import { createPrivacyPolicy } from '../privacy/policy.js';

export interface ArchiveEdits {
  /**
   * Removes an end user's runs and messages from the archive (and its Parquet copies) and their rows from the sinks.
   * Dry run unless `dryRun: false`.
   */
  forgetEndUser(request: ForgetEndUserRequest): Promise<ArchiveEditResult>;
  /** Applies the configured privacy policy to what was archived before it. Dry run unless `dryRun: false`. */
  redactArchive(request: ArchiveEditRequest): Promise<ArchiveEditResult>;
}

/** The runtime's edits of what it stored, with its storage, archive formats, sinks and privacy policy. */
export function archiveEdits(
  config: DifyLogsConfig,
  opened: {
    storage: () => Promise<StorageAdapter>;
    archiveFormats: () => Promise<ArchivePartFormat[]>;
    sinks: () => Promise<Sink[]>;
  },
  logger: Logger,
): ArchiveEdits {
  const context = async (verb: string) => ({
    storage: await opened.storage(),
    formats: await opened.archiveFormats(),
    runId: `${verb}-${compactTimestamp(new Date())}-${randomBytes(3).toString('hex')}`,
    privacy: createPrivacyPolicy(config.privacy),
    logger,
  });
  return {
    async forgetEndUser(request) {
      return forgetEndUser({ ...(await context('forget')), sinks: await opened.sinks() }, request);
    },
    async redactArchive(request) {
      return redactArchive(await context('redact'), request);
    },
  };
}
