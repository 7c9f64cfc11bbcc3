import type { ReportFile, Reporter } from '../../adapters/reporter.js';
import type { AnomalyThresholds } from '../../analysis/compare.js';
import type { PriceTable } from '../../analysis/prices.js';
import type { ReportAnalysis } from '../../analysis/types.js';
import type { PrivacyOptions } from '../../privacy/policy.js';
import type { ConversationRecord, MessageRecord } from '../../records/chat.js';
import type { PipelineProblem } from '../types.js';

/** Tuning of the chunked path (tests make small chunks, and run them all on this thread). */
export interface ChunkSettings {
  /** Default: chunkBytesFor(the input size, threads). */
  chunkBytes?: number;
  /** Whether to start worker threads (default: when the built worker is there); without, this thread takes all. */
  workers?: boolean;
}

export interface RenderReportsOptions {
  job: string;
  /** Id in the report (default: `report-` and the time). */
  runId?: string;
  /** Report window; default: from the first to the last record's log time. */
  window?: { from: string; to: string };
  timezone?: string;
  formats: string[];
  /** Extra reporters by format (e.g. `@dify-logs/reports`'s csv, html, xlsx), over the built-in json and markdown. */
  reporters?: Record<string, Reporter>;
  prices?: PriceTable;
  consoleUrl?: string | null;
  /** Public address of the run explorer: the reports link to its run and error pages. */
  explorerUrl?: string | null;
  /** The previous period's analysis (its JSON report), to compare with. */
  previous?: ReportAnalysis | null;
  anomalies?: Partial<AnomalyThresholds>;
  /**
   * Applied to each record before anything sees it (default: the default policy, every detector masking): records
   * of a file written before a policy existed are protected all the same. `{ enabled: false }`: as they are.
   */
  privacy?: PrivacyOptions;
  /** Chat messages of the same period (`readArchivedMessages`): the report's conversation section. */
  messages?: AsyncIterable<MessageRecord>;
  /**
   * The archived conversations of the same period (`readArchivedConversations`): their names head the transcripts of
   * the conversation section.
   */
  conversations?: AsyncIterable<ConversationRecord>;
  now?: () => Date;
  /**
   * Threads that read `files` (cut into chunks; the analyses merge exactly): default the CPU cores, at most 4, for
   * inputs of 64 MiB or more, else 1. A stream, a report with `messages`, or a format whose writer takes records and
   * has no `shards` (xlsx) is read on one thread.
   */
  threads?: number;
  /**
   * Where formats rendered in shards (csv) write their files (`ReportFile.path`), default the report's temp folder:
   * put it on the output's file system to move the files into place instead of copying them.
   */
  stageDir?: string;
  /** Tuning of the chunked path (tests): chunk size in bytes; `workers: false` runs every chunk on this thread. */
  chunking?: ChunkSettings;
}

export interface RenderedReports {
  analysis: ReportAnalysis;
  files: Array<{ format: string; file: ReportFile }>;
  /** Formats that failed; the others are in `files`. */
  problems: PipelineProblem[];
  /** Releases spool files: call after the files' bodies were consumed. */
  close(): Promise<void>;
}

/** NDJSON files of RunRecords: what `renderReports` can read on several threads. */
export interface RecordFiles {
  /** `name` names the file in errors (default: its base name). */
  files: ReadonlyArray<{ path: string; name?: string }>;
}
