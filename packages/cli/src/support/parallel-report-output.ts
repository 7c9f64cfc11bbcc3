import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ReportFile } from '@dify-logs/core/adapter-kit';
import { CSV_CONTENT_TYPE, CsvReportStream, type CsvShard } from '@dify-logs/reports';

/** Flush the staged files to disk in the background every this many bytes, so the final fsync is short. */
const SYNC_EVERY_BYTES = 32 * 2 ** 20;

/**
 * The CSV report written into the output folder under hidden temporary names while the chunks come
 * in (see CsvReportStream), then renamed to the final names (`place`), which are known only at the end:
 * the same guarantee as createAtomicFileWriter (a complete file on disk, or none), without copying
 * hundreds of megabytes once the analysis is done.
 */
export class StagedCsv {
  readonly #stream: CsvReportStream;
  readonly #staged = new Map<ReportFile, string>();
  readonly #paths: { runs: string; nodes: string };

  constructor(outDir: string) {
    const stem = join(outDir, `.dify-logs-report.${process.pid}.${randomBytes(4).toString('hex')}`);
    this.#paths = { runs: `${stem}.csv.tmp`, nodes: `${stem}.nodes.csv.tmp` };
    this.#stream = new CsvReportStream(this.#paths, { syncEveryBytes: SYNC_EVERY_BYTES });
  }

  /** The next chunk's rows, in input order. */
  add(shard: CsvShard): void {
    this.#stream.add(shard);
  }

  /**
   * The two files of the CSV report, complete and on disk; undefined when they cannot be made from chunks (see
   * CsvReportStream.finish).
   */
  async finish(): Promise<ReportFile[] | undefined> {
    if (!(await this.#stream.finish())) {
      this.#stream.dispose();
      return undefined;
    }
    const runs: ReportFile = { extension: 'csv', contentType: CSV_CONTENT_TYPE, body: fileBody(this.#paths.runs) };
    const nodes: ReportFile = {
      part: 'nodes',
      extension: 'csv',
      contentType: CSV_CONTENT_TYPE,
      body: fileBody(this.#paths.nodes),
    };
    this.#staged.set(runs, this.#paths.runs).set(nodes, this.#paths.nodes);
    return [runs, nodes];
  }

  /** Renames a staged file to `path` (atomically: it is on disk already). False for a file not staged here. */
  async place(file: ReportFile, path: string): Promise<boolean> {
    const staged = this.#staged.get(file);
    if (staged === undefined) return false;
    await rename(staged, path);
    this.#staged.delete(file);
    const directory = await open(dirname(path), 'r').catch(() => undefined);
    await directory?.sync().catch(() => undefined);
    await directory?.close();
    return true;
  }

  /** Deletes what was not placed. */
  async dispose(): Promise<void> {
    try {
      this.#stream.dispose();
    } catch {
      // Deleting is what matters.
    }
    await Promise.all([rm(this.#paths.runs, { force: true }), rm(this.#paths.nodes, { force: true })]);
  }
}

/** A body reading a file (replayable), for callers that read the staged files instead of placing them. */
function fileBody(path: string): AsyncIterable<Uint8Array> {
  return { [Symbol.asyncIterator]: () => createReadStream(path)[Symbol.asyncIterator]() };
}
