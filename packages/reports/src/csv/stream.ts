import { rmSync } from 'node:fs';
import {
  nodesCsvHeader,
  runsCsvHeader,
  sameColumns,
  unionRunsColumns,
  writeRunsPart,
  type RunsColumns,
} from './assemble.js';
import { csvSettings, type CsvReporterOptions } from './settings.js';
import type { RunsPart } from './parts.js';
import type { CsvShard } from './shards.js';
import { FileSink } from './sinks.js';

/** Past this many bytes, new columns no longer start the runs file over: it is written by `finish` instead. */
const RESTART_BYTES = 64 * 2 ** 20;

export interface CsvStreamOptions extends CsvReporterOptions {
  /** Start flushing the files to disk in the background every this many bytes (see FileSinkOptions). */
  syncEveryBytes?: number;
  /** Past this many bytes of the runs file, new columns no longer start it over (default 64 MiB). */
  restartBytes?: number;
}

/**
 * Writes the two files of the CSV report while the shards of a period come in, in input order, so
 * that little is left to do after the last one: the nodes file as the shards come; the runs file too
 * while its variable columns stay those of the shards so far (new columns start it over while it is
 * small; later, it is written from all the shards by `finish`). The files are the ones
 * `assembleCsvShards` describes, byte for byte.
 */
export class CsvReportStream {
  readonly #bom: boolean;
  readonly #maxColumns: number;
  readonly #syncEveryBytes: number | undefined;
  readonly #restartBytes: number;
  readonly #nodes: FileSink;
  #runs: FileSink | undefined;
  #columns: RunsColumns | undefined;
  readonly #parts: RunsPart[] = [];
  #streaming = true;

  constructor(
    readonly paths: { runs: string; nodes: string },
    options: CsvStreamOptions = {},
  ) {
    ({ bom: this.#bom, maxInputColumns: this.#maxColumns } = csvSettings(options));
    this.#syncEveryBytes = options.syncEveryBytes;
    this.#restartBytes = options.restartBytes ?? RESTART_BYTES;
    this.#nodes = new FileSink(paths.nodes, this.#sinkOptions());
    this.#nodes.write(nodesCsvHeader(this.#bom));
  }

  /** The next shard's rows (its files may be deleted afterwards only if the runs file is `complete`). */
  add(shard: CsvShard): void {
    this.#nodes.copyFrom(shard.nodes.path, 0, shard.nodes.bytes);
    this.#parts.push(shard.runs);
    if (!this.#streaming) return;
    const columns = unionRunsColumns(this.#parts, this.#maxColumns);
    if (!columns) this.#streaming = false;
    else if (this.#runs && this.#columns && sameColumns(columns, this.#columns))
      writeRunsPart(shard.runs, columns, this.#runs);
    else if (this.#runs && this.#runs.bytes > this.#restartBytes) this.#streaming = false;
    else this.#restart(columns);
  }

  /**
   * Completes both files and flushes them to disk. False when the runs file cannot be made from the
   * shards (variable columns over the cap across shards: see unionRunsColumns); the files are then
   * incomplete and should be disposed of.
   */
  async finish(): Promise<boolean> {
    const columns = unionRunsColumns(this.#parts, this.#maxColumns);
    if (!columns) return false;
    if (!this.#streaming || !this.#runs || !this.#columns || !sameColumns(columns, this.#columns))
      this.#restart(columns);
    await Promise.all([this.#runs!.closeDurably(), this.#nodes.closeDurably()]);
    return true;
  }

  /** Closes and deletes both files. */
  dispose(): void {
    this.#runs?.close();
    this.#nodes.close();
    rmSync(this.paths.runs, { force: true });
    rmSync(this.paths.nodes, { force: true });
  }

  /** Writes the runs file anew: header of `columns`, then every shard so far. */
  #restart(columns: RunsColumns): void {
    this.#runs?.close();
    rmSync(this.paths.runs, { force: true });
    this.#runs = new FileSink(this.paths.runs, this.#sinkOptions());
    this.#columns = columns;
    this.#runs.write(runsCsvHeader(columns, this.#bom));
    for (const part of this.#parts) writeRunsPart(part, columns, this.#runs);
  }

  #sinkOptions() {
    return this.#syncEveryBytes === undefined ? {} : { syncEveryBytes: this.#syncEveryBytes };
  }
}
