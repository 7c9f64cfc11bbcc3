// The module worker threads load the CSV report's shard writer from (`ReportShards.module`): built as
// `dist/csv-shards.js`.
import type { CsvReporterOptions } from './settings.js';
import { createCsvShardWriter, type CsvShardWriter } from './shards.js';

export function createShardWriter(dir: string, options: CsvReporterOptions): CsvShardWriter {
  return createCsvShardWriter(dir, options);
}
