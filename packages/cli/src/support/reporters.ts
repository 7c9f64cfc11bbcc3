import type { Reporter } from '@dify-logs/core';
import { csvReporter, htmlReporter, xlsxReporter } from '@dify-logs/reports';
import { lazyParquetReporter } from './parquet.js';

/** Every report format the CLI can write, beyond core's json and markdown. */
export function cliReporters(): Record<string, Reporter> {
  return { csv: csvReporter(), html: htmlReporter(), xlsx: xlsxReporter(), parquet: lazyParquetReporter() };
}

/** Formats a job can name in `outputFormat`; `ndjson` is the archive every run stores anyway. */
export const REPORT_FORMATS = ['json', 'markdown', 'csv', 'html', 'xlsx', 'parquet'] as const;
