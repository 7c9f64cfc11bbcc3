import type { RunRecord } from '@dify-logs/core';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { csvSettings, type CsvReporterOptions } from './settings.js';
import { NodesPartWriter, RunsPartWriter, type NodesPart, type RunsPart } from './parts.js';
import { FileSink } from './sinks.js';

/** The CSV rows of one shard of a period's runs (plain data: it crosses threads). */
export interface CsvShard {
  runs: RunsPart;
  nodes: NodesPart;
}

export interface CsvShardWriter {
  add(run: RunRecord): void;
  /** Flushes and closes the files. */
  finish(): CsvShard;
  /** Closes and deletes the files (after a failure). */
  dispose(): void;
}

/**
 * Writes the CSV rows of one shard of the runs (a worker thread's byte range of the input) to files in
 * `dir`, synchronously. A CsvReportStream turns the shards, in input order, into the CSV report.
 */
export function createCsvShardWriter(dir: string, options: CsvReporterOptions = {}): CsvShardWriter {
  const { maxInputColumns } = csvSettings(options);
  const id = randomUUID();
  const runsSink = new FileSink(join(dir, `runs-${id}.csv.part`));
  const nodesSink = new FileSink(join(dir, `nodes-${id}.csv.part`));
  const runs = new RunsPartWriter(runsSink, maxInputColumns);
  const nodes = new NodesPartWriter(nodesSink);
  const close = () => {
    try {
      runsSink.close();
    } finally {
      nodesSink.close();
    }
  };
  return {
    add(run) {
      runs.add(run);
      nodes.add(run);
    },
    finish() {
      runs.flush();
      nodes.flush();
      close();
      return { runs: runs.part(runsSink.path), nodes: nodes.part(nodesSink.path) };
    },
    dispose() {
      try {
        close();
      } finally {
        rmSync(runsSink.path, { force: true });
        rmSync(nodesSink.path, { force: true });
      }
    },
  };
}
