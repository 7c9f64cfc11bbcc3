import type { StorageAdapter, StoredObject } from '../adapters/storage.js';
import type { ReportFile } from '../adapters/reporter.js';
import type { ArchiveResult } from '../archive/archive-writer.js';
import type { StoredSoFar } from './outcomes.js';
import type { PipelineResult } from './types.js';

export interface StoreInputs {
  reportType: string;
  window: PipelineResult['window'];
  rendered: Array<{ format: string; file: ReportFile }>;
  /** The chat apps' messages as NDJSON lines, when there were any. */
  messages?: AsyncIterable<Uint8Array>;
  /** Writes the archive's manifests (last: until then the run's partitions are invisible). */
  partitions?: () => Promise<ArchiveResult>;
  /** With a partitioned archive: writes the messages' partitions and manifests (after the runs'). */
  messagePartitions?: () => Promise<ArchiveResult>;
  /** With a partitioned archive: writes the conversations' partitions and manifests (after the messages'). */
  conversationPartitions?: () => Promise<ArchiveResult>;
  /** What the run stored so far: each object is added as soon as it is stored (a failure takes them back). */
  written: StoredSoFar;
}

export interface StoreOutcome {
  reports: StoredObject[];
  /** The chat apps' messages; null when there were none. */
  messages: StoredObject | null;
  /** What the archive's manifests became; null when the archive is not partitioned. */
  partitions: ArchiveResult | null;
  /** The messages' partitions; null without a partitioned archive or without messages. */
  messagePartitions: ArchiveResult | null;
  /** The conversations' partitions; null without a partitioned archive or without conversations. */
  conversationPartitions: ArchiveResult | null;
}

/** Stores the rendered reports, then the messages, then the archive's manifests. */
export async function storeStage(
  storage: StorageAdapter,
  save: { job: string; app: string; runId: string; createdAt: Date },
  inputs: StoreInputs,
): Promise<StoreOutcome> {
  const reports: StoredObject[] = [];
  for (const { format, file } of inputs.rendered) {
    const extension = file.part ? `${file.part}.${file.extension}` : file.extension;
    const report = await storage.saveReport({
      ...save,
      type: inputs.reportType,
      extension,
      contentType: file.contentType,
      body: file.body,
      metadata: { format, job: save.job, window_from: inputs.window.from, window_to: inputs.window.to },
    });
    inputs.written.reports.push(report);
    reports.push(report);
  }
  // Chat apps' messages (one MessageRecord per line), beside the run archive.
  let messages: StoredObject | null = null;
  if (inputs.messages) {
    messages = await storage.saveData({
      ...save,
      type: 'messages',
      extension: 'ndjson',
      contentType: 'application/x-ndjson',
      body: inputs.messages,
      // Read back by `rewriteMessages` (forgetting an end user, redacting) to store the new form under the same names.
      metadata: { job: save.job, app: save.app },
    });
    inputs.written.messages = messages;
  }
  const partitions = inputs.partitions ? await inputs.partitions() : null;
  const messagePartitions = inputs.messagePartitions ? await inputs.messagePartitions() : null;
  const conversationPartitions = inputs.conversationPartitions ? await inputs.conversationPartitions() : null;
  return { reports, messages, partitions, messagePartitions, conversationPartitions };
}
