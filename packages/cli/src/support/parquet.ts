import { openSync, readSync, closeSync } from 'node:fs';
import type { ArchivePartFormat, Reporter, ReportWriter, RunRecord } from '@dify-logs/core';

type ParquetPackage = typeof import('@dify-logs/parquet');
let loading: Promise<ParquetPackage> | undefined;
/** `@dify-logs/parquet` is loaded only when a Parquet format is used. */
const parquetPackage = () => (loading ??= import('@dify-logs/parquet'));

/** The `parquet` report format (runs and node executions as two Parquet files), loaded on first use. */
export function lazyParquetReporter(): Reporter {
  return {
    format: 'parquet',
    start(context) {
      const writer: Promise<ReportWriter> = parquetPackage().then((module) => module.parquetReporter().start(context));
      writer.catch(() => undefined);
      return {
        add: async (record) => {
          const ready = await writer;
          await ready.add?.(record);
        },
        finish: async (analysis) => (await writer).finish(analysis),
        dispose: async () => (await writer.catch(() => undefined))?.dispose?.(),
      };
    },
  };
}

/** Archive parts also written as Parquet (`storage.archiveFormats: [parquet]`). */
export async function parquetArchiveFormat(): Promise<ArchivePartFormat> {
  return (await parquetPackage()).parquetArchiveFormat();
}

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
