import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReportFile, ShardJoin } from '@dify-logs/core/adapter-kit';
import { CSV_CONTENT_TYPE, type CsvReporterOptions } from './settings.js';
import type { CsvShard } from './shards.js';
import { CsvReportStream } from './stream.js';

/** Flush the staged files to disk in the background every this many bytes, so the final fsync is short. */
const SYNC_EVERY_BYTES = 32 * 2 ** 20;

/**
 * The CSV report joined from shards in input order, written into `stageDir` under hidden temporary names as the
 * shards come in (see CsvReportStream). The files it returns are complete on disk (`path`): a caller on the same file
 * system renames them into place instead of copying hundreds of megabytes once the analysis is done; `dispose`
 * deletes what was not moved.
 */
export function createCsvJoin(stageDir: string, options: CsvReporterOptions): ShardJoin<CsvShard> {
  const stem = join(stageDir, `.dify-logs-report.${process.pid}.${randomBytes(4).toString('hex')}`);
  const paths = { runs: `${stem}.csv.tmp`, nodes: `${stem}.nodes.csv.tmp` };
  const stream = new CsvReportStream(paths, { ...options, syncEveryBytes: SYNC_EVERY_BYTES });
  return {
    add: (shard) => stream.add(shard),
    async finish(): Promise<ReportFile[] | undefined> {
      if (!(await stream.finish())) return undefined;
      return [
        { extension: 'csv', contentType: CSV_CONTENT_TYPE, body: fileBody(paths.runs), path: paths.runs },
        {
          part: 'nodes',
          extension: 'csv',
          contentType: CSV_CONTENT_TYPE,
          body: fileBody(paths.nodes),
          path: paths.nodes,
        },
      ];
    },
    async dispose() {
      try {
        stream.dispose();
      } catch {
        // Deleting is what matters.
      }
      await Promise.all([rm(paths.runs, { force: true }), rm(paths.nodes, { force: true })]);
    },
  };
}

/** A body reading a file (replayable). */
function fileBody(path: string): AsyncIterable<Uint8Array> {
  return { [Symbol.asyncIterator]: () => createReadStream(path)[Symbol.asyncIterator]() };
}
