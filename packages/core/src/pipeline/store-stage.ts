import type { StorageAdapter, StoredObject } from '../adapters/storage.js';
import type { ReportFile } from '../adapters/reporter.js';
import type { ArchiveResult } from '../archive/archive-writer.js';
import type { PipelineResult } from './types.js';

export interface StoreInputs {
  reportType: string;
  window: PipelineResult['window'];
  rendered: Array<{ format: string; file: ReportFile }>;
  /** The chat apps' messages as NDJSON lines, when there were any. */
  messages?: AsyncIterable<Uint8Array>;
  /** Writes the archive's manifests (last: until then the run's partitions are invisible). */
  partitions?: () => Promise<ArchiveResult>;
  /** The run's ledger of what it stored: each object is added as soon as it is stored (a failure takes them back). */
  written: StoredObject[];
}

export interface StoreOutcome {
  reports: StoredObject[];
  /** The chat apps' messages; null when there were none. */
  messages: StoredObject | null;
  /** What the archive's manifests became; null when the archive is not partitioned. */
  partitions: ArchiveResult | null;
}

/** Stores the rendered reports, then the messages, then the archive's manifests. */
export async function storeStage(
  storage: StorageAdapter,
  save: { job: string; app: string; runId: string; createdAt: Date },
  inputs: StoreInputs,
): Promise<StoreOutcome> {
  const stored = (object: StoredObject) => (inputs.written.push(object), object);
  const reports: StoredObject[] = [];
  for (const { format, file } of inputs.rendered) {
    const extension = file.part ? `${file.part}.${file.extension}` : file.extension;
    reports.push(
      stored(
        await storage.saveReport({
          ...save,
          type: inputs.reportType,
          extension,
          contentType: file.contentType,
          body: file.body,
          metadata: { format, job: save.job, window_from: inputs.window.from, window_to: inputs.window.to },
        }),
      ),
    );
  }
  // Chat apps' messages (one MessageRecord per line), beside the run archive.
  const messages = inputs.messages
    ? stored(
        await storage.saveData({
          ...save,
          type: 'messages',
          extension: 'ndjson',
          contentType: 'application/x-ndjson',
          body: inputs.messages,
        }),
      )
    : null;
  return { reports, messages, partitions: inputs.partitions ? await inputs.partitions() : null };
}
