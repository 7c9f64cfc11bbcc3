import type { ArchiveManifest } from '@dify-logs/core/archive';
import { addRun, type PartitionRows } from './columns.js';
import type { IndexSource } from './load.js';
import { partitionRuns } from './parts.js';
import { createRowWorkers } from './row-workers.js';

/** Runs a refresh must load before it starts worker threads (starting one costs about 50 ms). */
export const WORKER_MIN_RUNS = 4_096;
/** Partitions whose rows are built ahead of the one being appended (a few MB each). */
const AHEAD = 4;

/** The rows of the partitions a refresh loads, in their order. */
export interface PreparedRows {
  /** The rows of the `index`-th partition (each taken once, in order). */
  take(index: number): Promise<PartitionRows>;
  close(): Promise<void>;
}

/** A partition's rows built on this thread (privacy applied). */
export async function partitionRows(source: IndexSource, manifest: ArchiveManifest): Promise<PartitionRows> {
  const rows: PartitionRows = { count: 0, runs: [], nodes: [] };
  for await (const { record, ...pointer } of partitionRuns(source.storage, manifest, source.formats))
    addRun(rows, source.privacy.run(record), pointer);
  return rows;
}

/**
 * The rows of `manifests`' partitions: on this thread, or, for a large refresh, in worker threads (`source.workers`,
 * default none: on the shared 2-core machine one worker did not make a 1,000,000-run build faster and added 150 MB of
 * peak RSS, see docs/performance.md) while this thread appends the partitions before. A worker needs the
 * policy's options (it makes its own policy from them) and reads gzip NDJSON only: a partition with parts of another
 * format is built here, and so is one a worker failed on (its error is then this thread's, as without workers).
 */
export function prepareRows(source: IndexSource, manifests: readonly ArchiveManifest[]): PreparedRows {
  const count = source.workers ?? 0;
  const runs = manifests.reduce((sum, manifest) => sum + manifest.records, 0);
  const workers =
    count > 0 && source.privacyOptions !== undefined && runs >= (source.workerMinRuns ?? WORKER_MIN_RUNS)
      ? createRowWorkers(count, source.privacyOptions, source.storage.name)
      : undefined;
  if (!workers) return { take: (index) => partitionRows(source, manifests[index]!), close: async () => undefined };
  const build = async (manifest: ArchiveManifest) => {
    if (manifest.parts.some((part) => part.format !== undefined)) return partitionRows(source, manifest);
    const parts: Array<{ key: string; bytes: Uint8Array }> = [];
    for (const part of manifest.parts) parts.push({ key: part.key, bytes: await source.storage.read(part.key) });
    return (await workers.rows(parts)) ?? partitionRows(source, manifest);
  };
  const started = new Map<number, Promise<PartitionRows>>();
  return {
    take(index) {
      for (let ahead = index; ahead <= index + AHEAD && ahead < manifests.length; ahead += 1) {
        if (started.has(ahead)) continue;
        const rows = build(manifests[ahead]!);
        // Awaited when taken; a refresh that stops before does not leave it unhandled.
        rows.catch(() => undefined);
        started.set(ahead, rows);
      }
      const rows = started.get(index)!;
      started.delete(index);
      return rows;
    },
    close: () => workers.close(),
  };
}
