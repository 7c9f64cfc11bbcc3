import { DifyConfigError } from '@dify-logs/core';

export interface CsvReporterOptions {
  /** Start each file with a UTF-8 byte-order mark, so Excel opens it as UTF-8. Default true. */
  bom?: boolean;
  /**
   * Most `inputs.*` columns (and, separately, `outputs.*` columns); the rest go to `inputs.__other` as JSON. Default
   * 200.
   */
  maxInputColumns?: number;
}

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

/** The options with their defaults, checked. */
export function csvSettings(options: CsvReporterOptions): { bom: boolean; maxInputColumns: number } {
  const bom = options.bom ?? true;
  const maxInputColumns = options.maxInputColumns ?? 200;
  if (!Number.isInteger(maxInputColumns) || maxInputColumns < 0) {
    throw new DifyConfigError('maxInputColumns', `must be a whole number of at least 0, got ${maxInputColumns}`);
  }
  return { bom, maxInputColumns };
}
