import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Reporter, ReportFile } from '@dify-logs/core/adapter-kit';
import { csvSettings, CSV_CONTENT_TYPE, type CsvReporterOptions } from './settings.js';
import { createMessagesCsv } from './messages-csv.js';
import { createNodesCsv } from './nodes-csv.js';
import { createRunsCsv } from './runs-csv.js';
import { createCsvJoin } from './csv-join.js';
import { createCsvShardWriter } from './shards.js';

export { csvSettings, CSV_CONTENT_TYPE, type CsvReporterOptions };

/**
 * CSV report: `….csv` with one row per run (fixed columns, then the run's inputs and outputs
 * flattened into `inputs.<name>` / `outputs.<name>` columns) and `….nodes.csv` with one row per node
 * execution (and `….messages.csv`, one row per chat message, when the report covers chat apps). RFC 4180, CRLF line
 * ends, UTF-8 with BOM; text that a spreadsheet would run as a formula is prefixed with `'`. Both files are spooled to
 * the report's temp folder, so memory stays flat.
 */
export function csvReporter(options: CsvReporterOptions = {}): Reporter {
  const { bom, maxInputColumns } = csvSettings(options);
  const settings: CsvReporterOptions = { bom, maxInputColumns };
  return {
    format: 'csv',
    shards: {
      module: shardModule(),
      options: settings,
      createWriter: (dir) => createCsvShardWriter(dir, settings),
      join: (context) => createCsvJoin(context.stageDir, settings),
    },
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

/** The built shard module (`dist/csv-shards.js`, beside this bundle) for worker threads; undefined from source. */
function shardModule(): string | undefined {
  const url = new URL('./csv-shards.js', import.meta.url);
  return !import.meta.url.endsWith('.ts') && existsSync(fileURLToPath(url)) ? url.href : undefined;
}
