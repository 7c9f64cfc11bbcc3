import { DifyConfigError } from '@dify-logs/core';
import type { Reporter, ReportFile } from '@dify-logs/core/adapter-kit';
import { createMessagesCsv } from './messages-csv.js';
import { createNodesCsv } from './nodes-csv.js';
import { createRunsCsv } from './runs-csv.js';

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

/**
 * CSV report: `….csv` with one row per run (fixed columns, then the run's inputs and outputs
 * flattened into `inputs.<name>` / `outputs.<name>` columns) and `….nodes.csv` with one row per node
 * execution (and `….messages.csv`, one row per chat message, when the report covers chat apps). RFC 4180, CRLF line
 * ends, UTF-8 with BOM; text that a spreadsheet would run as a formula is prefixed with `'`. Both files are spooled to
 * the report's temp folder, so memory stays flat.
 */
export function csvReporter(options: CsvReporterOptions = {}): Reporter {
  const { bom, maxInputColumns } = csvSettings(options);
  return {
    format: 'csv',
    start(context) {
      const runs = createRunsCsv({ dir: context.tmpDir, bom, maxInputColumns });
      const nodes = createNodesCsv({ dir: context.tmpDir, bom });
      const messages = createMessagesCsv({ dir: context.tmpDir, bom });
      return {
        addMessage: (message) => messages.add(message),
        add(record) {
          const runsWait = runs.add(record);
          const nodesWait = nodes.add(record);
          if (runsWait === undefined && nodesWait === undefined) return undefined;
          return Promise.all([runsWait, nodesWait]).then(() => undefined);
        },
        async finish(): Promise<ReportFile[]> {
          const [runsBody, nodesBody, messagesBody] = await Promise.all([
            runs.finish(),
            nodes.finish(),
            messages.finish(),
          ]);
          return [
            { extension: 'csv', contentType: CSV_CONTENT_TYPE, body: runsBody },
            { part: 'nodes', extension: 'csv', contentType: CSV_CONTENT_TYPE, body: nodesBody },
            ...(messagesBody
              ? [{ part: 'messages', extension: 'csv', contentType: CSV_CONTENT_TYPE, body: messagesBody }]
              : []),
          ];
        },
        async dispose() {
          await Promise.all([runs.dispose(), nodes.dispose(), messages.dispose()]);
        },
      };
    },
  };
}
