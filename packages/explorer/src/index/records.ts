import { DifyStorageError, type RunRecord } from '@dify-logs/core';
import type { IndexSource } from './load.js';
import { gzipLines, parseLine } from './parts.js';

/** A part as read back: its NDJSON lines by number, or its records (a part of another format) by position. */
type DecodedPart = { lines: Map<number, string> } | { records: RunRecord[] };

/** Where a run is: its part (and the part's format: absent for gzip NDJSON), its line or position, its log id. */
export interface RunPointer {
  part: string;
  format: string | null;
  number: number;
  logId: string;
}

/** Reads whole runs back from the archive parts the index points at, through the privacy policy. */
export interface RunReader {
  /** The run at `number` of `part` as JSON (its stored line when the policy changes nothing), or undefined. */
  read(pointer: RunPointer): Promise<string | undefined>;
}

/**
 * A reader keeping the last `size` parts it decoded (a run page's neighbours are in the same part: a part of 2,000
 * runs is read and unzipped once). A part that is gone (the archive was cleaned after a newer pipeline run replaced
 * its partition, and the index has not been refreshed yet) reads as no run.
 */
export function createRunReader(source: Pick<IndexSource, 'storage' | 'formats' | 'privacy'>, size = 8): RunReader {
  const parts = new Map<string, Promise<DecodedPart>>();

  async function decode(key: string, format: string | null): Promise<DecodedPart> {
    const bytes = await source.storage.read(key);
    if (format !== null) {
      const decoder = source.formats?.find((each) => each.format === format)?.decode;
      if (!decoder)
        throw new DifyStorageError(source.storage.name, 'invalid_object', `archive part ${key} is ${format}`, { key });
      const records: RunRecord[] = [];
      for await (const record of decoder(bytes, key)) records.push(record);
      return { records };
    }
    const lines = new Map<number, string>();
    for (const { line, number } of gzipLines(source.storage, key, bytes)) lines.set(number, line);
    return { lines };
  }

  function part(key: string, format: string | null): Promise<DecodedPart> {
    let decoded = parts.get(key);
    if (decoded) {
      parts.delete(key);
    } else {
      decoded = decode(key, format);
      decoded.catch(() => parts.delete(key));
    }
    parts.set(key, decoded);
    for (const oldest of parts.keys()) {
      if (parts.size <= size) break;
      parts.delete(oldest);
    }
    return decoded;
  }

  return {
    async read({ part: key, format, number, logId }) {
      let decoded: DecodedPart;
      try {
        decoded = await part(key, format);
      } catch (error) {
        if (DifyStorageError.isInstance(error) && error.code === 'not_found') return undefined;
        throw error;
      }
      const line = 'lines' in decoded ? decoded.lines.get(number) : undefined;
      const record =
        line !== undefined
          ? parseLine<RunRecord>(key, number, line)
          : 'records' in decoded
            ? decoded.records[number - 1]
            : undefined;
      if (record?.logId !== logId) return undefined;
      const shown = source.privacy.run(record);
      // The policy gives the record back unchanged when it found nothing: its stored line is served as it is.
      return shown === record && line !== undefined ? line : JSON.stringify(shown);
    },
  };
}
