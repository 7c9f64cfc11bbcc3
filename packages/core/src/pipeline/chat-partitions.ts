import type { StorageAdapter } from '../adapters/storage.js';
import { createDatasetWriter, type ArchiveResult, type ArchiveWriterOptions } from '../archive/archive-writer.js';
import type { ArchiveDataset } from '../archive/dataset.js';
import { openJsonLineSpool, type JsonLineSpool } from './json-line-spool.js';

/** A run's chat messages or conversations spooled to disk, with the partitions (app and UTC day) they fall in. */
export interface ChatSpool extends JsonLineSpool {
  /** The partitions of the values added so far (`app \0 day`). */
  readonly partitions: ReadonlySet<string>;
}

const partitionOf = <T>(dataset: ArchiveDataset<T>, record: T) =>
  `${dataset.app(record)}\u0000${dataset.time(record).slice(0, 10)}`;

/** A JSON-line spool (see `openJsonLineSpool`) that notes the partition of each record of `dataset` added. */
export function openChatSpool<T>(dataset: ArchiveDataset<T>, prefix: string): ChatSpool {
  const spool = openJsonLineSpool(prefix);
  const partitions = new Set<string>();
  return {
    partitions,
    get count() {
      return spool.count;
    },
    add(value) {
      partitions.add(partitionOf(dataset, value as T));
      return spool.add(value);
    },
    read: () => spool.read(),
    values: <V>() => spool.values<V>(),
    dispose: () => spool.dispose(),
  };
}

/**
 * Archives a window's spooled chat messages or conversations in their partitions (after the runs'). They arrive by
 * conversation, and conversations live in the partition of the day they were created, so their partitions interleave,
 * often over more days than the writer keeps parts open for (`dataset.openParts`). Each partition still gets one part:
 * when there are more partitions than open parts, the spool is read once per group of that many partitions, each pass
 * writing only its group's records (in the order they came). Memory holds no records; the spool is read
 * `ceil(partitions / openParts)` times. `track` is given the writer as soon as it exists, so a failure elsewhere can
 * abort it.
 */
export async function writeChatPartitions<T>(
  storage: StorageAdapter,
  dataset: ArchiveDataset<T>,
  options: Omit<ArchiveWriterOptions, 'dataset'>,
  spool: ChatSpool,
  track: (writer: { abort(): Promise<void> }) => void,
): Promise<ArchiveResult> {
  const writer = createDatasetWriter(storage, dataset, options);
  track(writer);
  const partitions = [...spool.partitions].sort();
  if (partitions.length <= dataset.openParts) {
    for await (const value of spool.values<T>()) await writer.add(value);
    return writer.finish();
  }
  for (let start = 0; start < partitions.length; start += dataset.openParts) {
    const group = new Set(partitions.slice(start, start + dataset.openParts));
    for await (const value of spool.values<T>()) if (group.has(partitionOf(dataset, value))) await writer.add(value);
  }
  return writer.finish();
}
