import type { ReportAnalysis } from '../analysis/types.js';
import type { RunRecord } from '../records/schema.js';
import type { MessageRecord } from '../records/chat.js';

/** What a reporter knows about the report it is writing. */
export interface ReportContext {
  job: string;
  /** Id of the pipeline run. */
  runId: string;
  window: { from: string; to: string; timezone: string };
  /** A private folder for spool files (deleted by the caller after `dispose`). */
  tmpDir: string;
}

/** One file of a report. A reporter may write several (CSV: runs and nodes). */
export interface ReportFile {
  /** Distinguishes the files of one format: `nodes` gives `….nodes.csv`. Absent for the main file. */
  part?: string;
  /** Without the dot: `csv`, `html`, `xlsx`. */
  extension: string;
  contentType: string;
  /** Large bodies stream from a spool file. */
  body: string | Uint8Array | AsyncIterable<Uint8Array>;
  /**
   * Set when the body is a complete file on disk (in the renderer's `stageDir`): a caller writing to the same file
   * system may rename it into place instead of copying `body`. Whatever is not moved is deleted by `close()`.
   */
  path?: string;
}

/** The writer of one report of one pipeline run: sees every record as it streams, then the period's analysis. */
export interface ReportWriter {
  /**
   * Each record in archive order. Return a promise to apply backpressure (spooling to disk). Optional: analysis-only
   * formats skip it.
   */
  add?(record: RunRecord): void | Promise<void>;
  /**
   * Each chat message (chat, agent and chatflow apps) in the window. Optional: formats without a messages table skip
   * it.
   */
  addMessage?(message: MessageRecord): void | Promise<void>;
  /** The report's files, given the whole period's analysis. */
  finish(analysis: ReportAnalysis): Promise<ReportFile[]> | ReportFile[];
  /** Releases spool files; called after the files were stored, or when the run failed. */
  dispose?(): Promise<void>;
}

/**
 * A report format. `start` is called once per pipeline run (or `dify-logs report`). A reporter that
 * throws (in `start`, `add` or `finish`) loses only its own format: the pipeline records the problem
 * and stores the others. Reporters never hold all records in memory: they aggregate or spool.
 */
export interface Reporter {
  /** The name in `outputFormat`: `csv`, `markdown`, `json`, `html`, `xlsx`, … */
  readonly format: string;
  start(context: ReportContext): ReportWriter;
  /**
   * Optional: how its per-record work is done in shards when a report is rendered on several threads (`threads` of
   * `renderReports`). A reporter whose writer takes records (`add`) and has no `shards` makes the report one-threaded;
   * one without `add` (its report is made from the analysis alone) needs none.
   */
  readonly shards?: ReportShards;
  /**
   * Optional, for a reporter that loads its implementation on first use (the runtime's format plugins): the loaded
   * reporter. The renderer asks before reading on several threads, to see the real writer and `shards`.
   */
  load?(): Promise<Reporter>;
}

/**
 * A reporter's work in shards: each thread writes the records of its chunks of the input with a `ShardWriter`, and
 * the shards come back, in input order, to one `ShardJoin` on the calling thread, which makes the files.
 */
export interface ReportShards<S = unknown> {
  /**
   * URL of an ES module exporting `createShardWriter(dir: string, options: unknown): ShardWriter`, which worker
   * threads import. Absent (e.g. when running from source): the shards are written on the calling thread.
   */
  readonly module?: string;
  /** Plain data for `createShardWriter` (it crosses threads). */
  readonly options?: unknown;
  /** A shard writer on the calling thread (the same as the module's). */
  createWriter(dir: string): ShardWriter<S>;
  /** Starts the join: `stageDir` is where the files go (the caller may move them from there). */
  join(context: ReportContext & { stageDir: string }): ShardJoin<S>;
}

/** Writes the records of one chunk of the input, synchronously. */
export interface ShardWriter<S = unknown> {
  /** Each record of the chunk, in input order, the privacy policy applied. */
  add(record: RunRecord): void;
  /** Flushes and closes; the shard is plain data (it crosses threads), e.g. the paths of the files it wrote. */
  finish(): S;
  /** Closes and deletes what it wrote (after a failure). */
  dispose(): void;
}

/** Joins shards, given in input order, into a report's files. */
export interface ShardJoin<S = unknown> {
  /** The next chunk's shard, in input order. */
  add(shard: S): void;
  /** The files; undefined when these shards cannot make the report (it is then rendered on one thread). */
  finish(): Promise<ReportFile[] | undefined>;
  /** Deletes the files not moved away. */
  dispose(): Promise<void>;
}
