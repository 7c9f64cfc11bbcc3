import type { Reporter, ReportFile } from '@dify-logs/core/adapter-kit';
import type { RunRecord } from '@dify-logs/core';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { toNodeRows, toRunRow } from './rows.js';
import { NODES_TABLE, RUNS_TABLE } from './schema.js';
import { createParquetFileWriter, type ParquetWriterOptions } from './writer.js';

export const PARQUET_CONTENT_TYPE = 'application/vnd.apache.parquet';

export type ParquetReporterOptions = ParquetWriterOptions;

/** A file body that starts over on each iteration, so a storage adapter may read it twice (retries). */
function fileBody(path: string): AsyncIterable<Uint8Array> {
  return { [Symbol.asyncIterator]: () => createReadStream(path, { highWaterMark: 1 << 16 })[Symbol.asyncIterator]() };
}

/**
 * Parquet report: `….runs.parquet`, one row per run (every RunRecord field, so `dify-logs report --input` can read it
 * back), and `….nodes.parquet`, one row per node execution. Typed columns, SNAPPY compression, row groups of
 * `rowGroupSize` rows (default 10 000) written as they fill: both files are spooled to the report's temp folder and
 * memory stays flat whatever the run count.
 */
export function parquetReporter(options: ParquetReporterOptions = {}): Reporter {
  return {
    format: 'parquet',
    start(context) {
      const id = randomUUID();
      const runs = createParquetFileWriter(join(context.tmpDir, `runs-${id}.parquet`), RUNS_TABLE, options);
      const nodes = createParquetFileWriter(join(context.tmpDir, `nodes-${id}.parquet`), NODES_TABLE, options);
      return {
        add(record: RunRecord) {
          const waits: Array<Promise<void>> = [];
          const runsWait = runs.add(toRunRow(record));
          if (runsWait) waits.push(runsWait);
          for (const row of toNodeRows(record)) {
            const nodesWait = nodes.add(row);
            if (nodesWait) waits.push(nodesWait);
          }
          return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
        },
        async finish(): Promise<ReportFile[]> {
          await Promise.all([runs.close(), nodes.close()]);
          return [
            { part: 'runs', extension: 'parquet', contentType: PARQUET_CONTENT_TYPE, body: fileBody(runs.path) },
            { part: 'nodes', extension: 'parquet', contentType: PARQUET_CONTENT_TYPE, body: fileBody(nodes.path) },
          ];
        },
        async dispose() {
          await Promise.all([runs.dispose(), nodes.dispose()]);
        },
      };
    },
  };
}
