import type { StorageAdapter } from '../adapters/storage.js';
import { createDatasetWriter, type ArchiveResult, type ArchiveWriterOptions } from '../archive/archive-writer.js';
import type { ArchiveDataset } from '../archive/dataset.js';
import { openJsonLineSpool, type JsonLineSpool } from './json-line-spool.js';

/** A run's chat messages or conversations spooled to disk, with the partitions (app and UTC day) they fall in. */
export interface ChatSpool extends JsonLineSpool {
  /** The partitions of the values added so far (`app \0 day`). */
  readonly partitions: ReadonlySet<string>;
  /** The partition of the value on each line, in the order of `partitions` (2 bytes a value, not the values). */
  partitionOfLine(line: number): string;
}

const partitionOf = <T>(dataset: ArchiveDataset<T>, record: T) =>
  `${dataset.app(record)}\u0000${dataset.time(record).slice(0, 10)}`;

/** A JSON-line spool (see `openJsonLineSpool`) that notes the partition of each record of `dataset` added. */
export function openChatSpool<T>(dataset: ArchiveDataset<T>, prefix: string): ChatSpool {
  const spool = openJsonLineSpool(prefix);
  const partitions = new Map<string, number>();
  const seen = new Set<string>();
  const names: string[] = [];
  // The partition number of each line; more than 65,535 partitions in one window widen it.
  let lines: Uint16Array | Uint32Array = new Uint16Array(1024);
  let count = 0;
  return {
    partitions: seen,
    partitionOfLine: (line) => names[lines[line]!]!,
    get count() {
      return spool.count;
    },
    add(value) {
      const name = partitionOf(dataset, value as T);
      let number = partitions.get(name);
      if (number === undefined) {
        number = names.push(name) - 1;
        partitions.set(name, number);
        seen.add(name);
        if (number > 0xffff && lines instanceof Uint16Array) lines = Uint32Array.from(lines);
      }
      if (count === lines.length) {
        const grown = lines instanceof Uint16Array ? new Uint16Array(count * 2) : new Uint32Array(count * 2);
        grown.set(lines);
        lines = grown;
      }
      lines[count] = number;
      count += 1;
      return spool.add(value);
    },
    read: () => spool.read(),
    lines: () => spool.lines(),
    values: <V>() => spool.values<V>(),
    dispose: () => spool.dispose(),
  };
}

/**
 * Archives a window's spooled chat messages or conversations in their partitions (after the runs'). They arrive by
 * conversation, and conversations live in the partition of the day they were created, so their partitions interleave,
 * often over more days than the writer keeps parts open for (`dataset.openParts`). Each partition still gets one part:
 * when there are more partitions than open parts, the spool is read once per group of that many partitions, each pass
 * parsing and writing only its group's records (in the order they came; the others are skipped by the partition noted
 * for their line). Memory holds no records, two bytes a record; the spool is read `ceil(partitions / openParts)`
 * times, and each record parsed once. `track` is given the writer as soon as it exists, so a failure elsewhere can
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
    // Lines of other groups are skipped by their noted partition, unparsed.
    let line = 0;
    for await (const text of spool.lines())
      if (group.has(spool.partitionOfLine(line++))) await writer.add(JSON.parse(text) as T);
  }
  return writer.finish();
}
