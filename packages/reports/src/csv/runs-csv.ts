import { type RunRecord } from '@dify-logs/core';
import { createSpool } from '@dify-logs/core/adapter-kit';
import { randomUUID } from 'node:crypto';
import { replayable } from '../tabular/streams.js';
import { runsCsvBody, unionRunsColumns } from './assemble.js';
import { RunsPartWriter } from './parts.js';
import { SpoolSink } from './sinks.js';

export interface RunsCsvOptions {
  dir: string;
  bom: boolean;
  maxInputColumns: number;
}

export interface RunsCsv {
  add(run: RunRecord): Promise<void> | void;
  /** Closes the spool; the body streams the header and the spooled rows. */
  finish(): Promise<AsyncIterable<Uint8Array>>;
  dispose(): Promise<void>;
}

/**
 * The runs CSV. Its `inputs.*`/`outputs.*` columns are known only after the last run, so rows are
 * spooled as final CSV padded to the columns known so far (a column keeps the position it was first
 * seen at, so each section only grows at its end); `finish` copies the rows written after the last
 * new column as they are and pads the earlier ones. Memory holds one batch and the column names,
 * whatever the run count.
 */
export function createRunsCsv(options: RunsCsvOptions): RunsCsv {
  const spool = createSpool(options.dir, `runs-${randomUUID()}.csv.spool`);
  const writer = new RunsPartWriter(new SpoolSink(spool), options.maxInputColumns);
  return {
    add: (run) => writer.add(run),
    async finish() {
      await writer.flush();
      await spool.close();
      const part = writer.part(spool.path);
      const columns = unionRunsColumns([part], options.maxInputColumns)!;
      return replayable(() => runsCsvBody([part], columns, options.bom)[Symbol.asyncIterator]());
    },
    async dispose() {
      await spool.dispose();
    },
  };
}
