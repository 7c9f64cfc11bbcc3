import type { ConversationRecord, MessageRecord } from '../records/chat.js';
import type { RunRecord } from '../records/schema.js';
import type { ArchiveDataset } from './dataset.js';

/** How an archive format encodes (and reads back) the records of one dataset. */
export interface DatasetCodec<T> {
  /** One part's records as the bytes stored (`….part-N.<extension>`). */
  encode(records: AsyncIterable<T>): Promise<Uint8Array>;
  /**
   * The records of an encoded part (`name`, the object key, goes into errors): needed to read or verify an archive
   * written without NDJSON.
   */
  decode?(bytes: Uint8Array, name: string): AsyncIterable<T>;
}

/**
 * Another format each archive part is written in, beside the gzip NDJSON part or instead of it
 * (`@dify-logs/parquet` gives `parquetArchiveFormat()`). A partition is one app and one UTC day, so a part
 * fits in memory encoded. `encode`/`decode` are for runs; a format that also encodes the chat datasets says how in
 * `datasets`, and their parts get copies in it too (a format without it copies runs only).
 */
export interface ArchivePartFormat extends DatasetCodec<RunRecord> {
  readonly format: string;
  /** Without the dot: `parquet` gives `….part-1.parquet`. */
  readonly extension: string;
  readonly contentType: string;
  /** Chat messages (MessageRecords) and conversations (ConversationRecords) in this format, when it can hold them. */
  readonly datasets?: {
    readonly messages?: DatasetCodec<MessageRecord>;
    readonly conversations?: DatasetCodec<ConversationRecord>;
  };
}

/** How `format` encodes `dataset`'s records: the format itself for runs; undefined when it does not hold them. */
export function codecOf<T>(format: ArchivePartFormat, dataset: ArchiveDataset<T>): DatasetCodec<T> | undefined {
  const codec = dataset.name === 'runs' ? format : format.datasets?.[dataset.name];
  return codec as DatasetCodec<T> | undefined;
}
