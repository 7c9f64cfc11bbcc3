import type { StorageAdapter } from '../adapters/storage.js';
import { createDatasetWriter, type ArchiveResult, type ArchiveWriterOptions } from '../archive/archive-writer.js';
import type { ArchiveDataset } from '../archive/dataset.js';

/** Records sorted by app and day at a time before they are archived: memory holds this many. */
const SORT_CHUNK = 10_000;

/**
 * Archives a window's spooled chat messages or conversations in their partitions (after the runs'). They arrive by
 * conversation, and conversations in the order Dify listed them (last updated first), so their days are scattered:
 * each chunk is sorted by app and day first, so a partition gets one part per chunk rather than one per switch.
 * `track` is given the writer as soon as it exists, so a failure elsewhere can abort it.
 */
export async function writeChatPartitions<T>(
  storage: StorageAdapter,
  dataset: ArchiveDataset<T>,
  options: Omit<ArchiveWriterOptions, 'dataset'>,
  values: AsyncIterable<T>,
  track: (writer: { abort(): Promise<void> }) => void,
): Promise<ArchiveResult> {
  const writer = createDatasetWriter(storage, dataset, options);
  track(writer);
  const key = (record: T) => `${dataset.app(record)}\u0000${dataset.time(record).slice(0, 10)}`;
  const chunk: T[] = [];
  const flush = async () => {
    // Stable: within an app and day the records keep the order they came in.
    const sorted = chunk.map((record) => ({ record, key: key(record) })).sort((a, b) => a.key.localeCompare(b.key));
    chunk.length = 0;
    for (const { record } of sorted) await writer.add(record);
  };
  for await (const value of values) {
    chunk.push(value);
    if (chunk.length >= SORT_CHUNK) await flush();
  }
  await flush();
  return writer.finish();
}
