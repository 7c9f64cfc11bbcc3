import { gunzipSync } from 'node:zlib';
import type { RunRecord } from '@dify-logs/core';
import type { StorageAdapter } from '@dify-logs/core/adapter-kit';
import type { ArchiveManifest, ArchivePartFormat } from '@dify-logs/core/archive';
import { DifyStorageError, RecordFileError } from '@dify-logs/core';

/** A record, where it is (its part and line, or its position in a part of another format), and its stored line. */
export interface PartRecord {
  record: RunRecord;
  part: string;
  /** The line number in an NDJSON part, or the record's position (from 1) in a part of another format. */
  number: number;
  /** The part's format (absent for gzip NDJSON). */
  format?: string;
  line?: string;
}

/**
 * The runs of one partition as its manifest lists them (each log id once, as core's `readArchive` gives them): gzip
 * NDJSON parts, or parts in the format that wrote them (Parquet) through `formats`. Reading the listed manifest's
 * parts directly spares a second listing of the storage per partition.
 */
export async function* partitionRuns(
  storage: StorageAdapter,
  manifest: ArchiveManifest,
  formats: readonly ArchivePartFormat[] = [],
): AsyncGenerator<PartRecord> {
  const seen = new Set<string>();
  for (const part of manifest.parts) {
    const bytes = await storage.read(part.key);
    if (part.format === undefined) {
      yield* ndjsonRuns(storage, part.key, bytes, seen);
      continue;
    }
    const decode = formats.find((format) => format.format === part.format)?.decode;
    if (!decode)
      throw new DifyStorageError(
        storage.name,
        'invalid_object',
        `archive part ${part.key} is ${part.format}; register its archive format (storage.archiveFormats)`,
        { key: part.key },
      );
    let number = 0;
    for await (const record of decode(bytes, part.key) as AsyncIterable<RunRecord>) {
      number += 1;
      if (seen.has(record.logId)) continue;
      seen.add(record.logId);
      yield { record, part: part.key, format: part.format, number };
    }
  }
}

/** The runs of a gzip NDJSON part whose log ids are not in `seen` yet (added to it), with their lines. */
export function* ndjsonRuns(
  storage: Pick<StorageAdapter, 'name'>,
  key: string,
  bytes: Uint8Array,
  seen: Set<string>,
): Generator<PartRecord> {
  for (const { line, number } of gzipLines(storage, key, bytes)) {
    const record = parseLine<RunRecord>(key, number, line);
    if (typeof record?.logId !== 'string') throw new RecordFileError(key, number, 'is not a RunRecord (no logId)');
    if (seen.has(record.logId)) continue;
    seen.add(record.logId);
    yield { record, part: key, number, line };
  }
}

/** The non-blank lines of a gzip NDJSON part, with their numbers (from 1). */
export function* gzipLines(
  storage: Pick<StorageAdapter, 'name'>,
  key: string,
  bytes: Uint8Array,
): Generator<{ line: string; number: number }> {
  const text = gunzipPart(storage, key, bytes);
  let number = 0;
  for (const line of text.toString('utf8').split('\n')) {
    number += 1;
    if (line.trim() !== '') yield { line, number };
  }
}

/** A gzip archive part's NDJSON text, or an error naming the part. */
export function gunzipPart(storage: Pick<StorageAdapter, 'name'>, key: string, bytes: Uint8Array): Buffer {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new DifyStorageError(storage.name, 'invalid_object', `${key} is not a gzip archive part`, {
      key,
      cause: error,
    });
  }
}

/** A line's JSON, or an error naming the part and the line. */
export function parseLine<T>(key: string, number: number, line: string): T {
  try {
    return JSON.parse(line) as T;
  } catch (error) {
    throw new RecordFileError(key, number, `is not JSON (${(error as Error).message})`);
  }
}
