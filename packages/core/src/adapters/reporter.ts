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
}
