import { definePlugin } from '@dify-logs/core/adapter-kit';

/**
 * The `parquet` format: reports (`outputFormat: [parquet]`, runs and node tables) and archive parts
 * (`storage.archiveFormats: [parquet]`).
 */
export const plugin = definePlugin({
  kind: 'format',
  type: 'parquet',
  description: 'Parquet runs and node-execution tables; Parquet archive parts',
  archive: true,
  async create() {
    const { parquetReporter } = await import('./reporter.js');
    const { parquetArchiveFormat } = await import('./archive-part.js');
    return { reporter: parquetReporter(), archive: parquetArchiveFormat() };
  },
});
