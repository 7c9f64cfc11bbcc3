import { openSync, readSync, closeSync } from 'node:fs';
import type { RunRecord } from '@dify-logs/core';

type ParquetPackage = typeof import('@dify-logs/parquet');
let loading: Promise<ParquetPackage> | undefined;
/** `@dify-logs/parquet` is loaded only when a Parquet format is used. */
const parquetPackage = () => (loading ??= import('@dify-logs/parquet'));

/** Whether a file is Parquet: its name ends in `.parquet`, or it starts with the `PAR1` magic bytes. */
export function isParquetFile(path: string): boolean {
  if (path.toLowerCase().endsWith('.parquet')) return true;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && head.toString('latin1') === 'PAR1';
  } catch {
    return false; // the NDJSON reader reports a missing or unreadable file
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The RunRecords of a Parquet runs table (a `….runs.parquet` report file or a Parquet archive part). */
export async function* readParquetInput(path: string): AsyncGenerator<RunRecord> {
  yield* (await parquetPackage()).readParquetRecords(path);
}
