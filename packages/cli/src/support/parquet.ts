import type { ArchivePartFormat, Reporter, ReportWriter } from '@dify-logs/core';

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
