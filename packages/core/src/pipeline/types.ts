import type { DifyClient } from '../client/create-client.js';
import type { Workspace, WorkspaceCheck } from '../client/endpoints/workspaces.js';
import type { NotificationKind, Notifier } from '../adapters/notifier.js';
import type { StateStore } from '../adapters/state.js';
import type { StorageAdapter, StoredObject } from '../adapters/storage.js';
import type { ExportProgress } from '../export/export-runs.js';
import type { Logger } from '../logging/logger.js';
import type { Reporter } from '../adapters/reporter.js';
import type { Sink } from '../adapters/sink.js';
import type { ReportAnalysis } from '../analysis/types.js';
import type { AnomalyThresholds } from '../analysis/compare.js';
import type { PriceTable } from '../analysis/prices.js';
import type { AlertEvent, AlertPolicy } from '../alerts/types.js';
import type { MessageTemplates } from './templates.js';
import type { ArchivePartFormat, ArchiveResult } from '../archive/archive-writer.js';
import type { WindowSpec } from '../time/window.js';
import type { FetchOptions } from '../export/defaults.js';
import type { PrivacyOptions } from '../privacy/policy.js';

export interface PipelineApp {
  id: string;
  client: DifyClient;
  /** Dify app mode (`workflow`, `advanced-chat`, `chat`, `agent-chat`); asked from Dify when absent. */
  mode?: string;
  /**
   * The console workspace the app was listed in. The run checks the current workspace before reading: another one is
   * switched back with `console.workspaceId`, else the run fails (`workspace_changed`) rather than read it.
   */
  workspace?: Workspace;
}

/**
 * A job: which apps and window, and what each stage does with them: `fetch` (what to read), `report` (what to make of
 * it), `archive` (how the records are kept), `notify` (who hears of it). Every group and field is optional, with the
 * defaults named on each.
 */
export interface PipelineJob {
  /** Names the job in keys, state and logs: letters, digits, `_`, `-`. */
  name: string;
  apps: PipelineApp[];
  window: WindowSpec;
  /** IANA zone for window templates and report dates (default UTC). */
  timezone?: string;
  /** What is read from Dify for each app. */
  fetch?: PipelineFetchOptions;
  /** The reports made of the window. */
  report?: PipelineReportOptions;
  /** How every record is kept. */
  archive?: PipelineArchiveOptions;
  /** Who hears of the run, and the alert rules. */
  notify?: PipelineNotifyOptions;
  /**
   * Personal data in what runs and messages carry: masked by default (every detector), applied once to each record as
   * it is read, before the run cache, the archive, reports, sinks and notifications see it. `{ enabled: false }`: off.
   */
  privacy?: PrivacyOptions;
}

/** What to fetch for each run (`FetchOptions`, with their defaults in FETCH_DEFAULTS) and which runs. */
export interface PipelineFetchOptions extends FetchOptions {
  /** Only logs matching this keyword (Dify's log search). */
  keyword?: string;
  /** Only runs of this status (`succeeded`, `failed`, …). */
  status?: string;
  /** Read finished runs from the state store's run cache instead of enriching them again (default true). */
  useRunCache?: boolean;
  /**
   * Dify's log retention in days (`WORKFLOW_LOG_RETENTION_DAYS` when `WORKFLOW_LOG_CLEANUP_ENABLED`): an explicit
   * window starting further back, on a Dify with no archive of old runs, is named in the report. Default 30 (Dify's
   * default).
   */
  retentionDays?: number;
}

/** The reports of each run. */
export interface PipelineReportOptions {
  /** Report type in storage keys (default `daily`). */
  type?: string;
  /** Reporter formats (default `json`, `markdown`); more come with `deps.reporters` (e.g. `@dify-logs/reports`). */
  formats?: string[];
  /** Model prices overriding Dify's (self-hosted models Dify prices at 0). */
  prices?: PriceTable;
  /** Compare with the previous period's JSON report of this job, when one is stored (default true). */
  compare?: boolean;
  /** When a change against the previous period is flagged. */
  anomalies?: Partial<AnomalyThresholds>;
  /**
   * Public address of the run explorer (`serve.publicUrl` of `@dify-logs/explorer`): reports and notifications link to
   * its run, run-list and error pages.
   */
  explorerUrl?: string;
}

/** The archive of every record. */
export interface PipelineArchiveOptions {
  /**
   * `true`/`'run'` (default) one NDJSON object per pipeline run; `'partitioned'` gzip NDJSON parts per app and UTC day
   * with a manifest each, re-runs replacing their window (see `createArchiveWriter`); `false` none.
   */
  mode?: boolean | 'run' | 'partitioned';
  /** Formats each part is also written in, beside gzip NDJSON (`mode: 'partitioned'` only): e.g. Parquet. */
  formats?: ArchivePartFormat[];
  /** `false`: parts only in `formats` (the first is the part), no gzip NDJSON. Default `true`. */
  ndjson?: boolean;
}

/** Who hears of each run. */
export interface PipelineNotifyOptions {
  /** Which outcomes are notified (default failure and report-ready). */
  on?: NotificationKind[];
  /** Mustache templates replacing the title/summary of notifications, per kind. */
  templates?: MessageTemplates;
  /**
   * Alert rules checked on every run, with de-duplication, cool-down and resolved messages (state in the StateStore).
   */
  alerts?: AlertPolicy;
}

/**
 * A stage of a run; `archive` is the archive write, which runs in the same pass as `fetch` (its time is counted in
 * `fetch`'s).
 */
export type PipelineStage = 'fetch' | 'archive' | 'report' | 'store' | 'sink' | 'notify' | 'alert' | 'state';

export type PipelineEvent =
  | { type: 'stage-start'; stage: PipelineStage }
  | { type: 'stage-end'; stage: PipelineStage; ms: number }
  | { type: 'progress'; appId: string; progress: Readonly<ExportProgress> }
  | { type: 'app-failed'; appId: string; error: string };

export interface PipelineDeps {
  storage: StorageAdapter;
  state: StateStore;
  notifiers?: Notifier[];
  reporters?: Record<string, Reporter>;
  logger?: Logger;
  now?: () => Date;
  /** Id of this pipeline run (default: a timestamped random id). */
  runId?: string;
  /** Observation only: stage boundaries, progress, per-app failures. */
  onEvent?: (event: PipelineEvent) => void;
  /** Attempts per notifier (default 3). */
  notifyAttempts?: number;
  /**
   * Where the records themselves go besides the archive (database tables…); the watermark moves only when every one
   * committed.
   */
  sinks?: Sink[];
  /** Attempts per sink (default 3), the first retry after `sinkRetryDelayMs` (default 1 000, doubling). */
  sinkAttempts?: number;
  sinkRetryDelayMs?: number;
}

/** What one sink did with the window. */
export interface SinkOutcome {
  sink: string;
  written: boolean;
  attempts: number;
  /** Rows per table, when written. */
  rows?: Record<string, number>;
  error?: string;
}

export interface PipelineProblem {
  stage: PipelineStage;
  appId?: string;
  format?: string;
  notifier?: string;
  sink?: string;
  code: string;
  message: string;
}

export interface PipelineResult {
  runId: string;
  job: string;
  /**
   * `succeeded`; `partial` when an app, a format or a notifier failed but reports were stored; `failed` when nothing
   * was stored.
   */
  status: 'succeeded' | 'partial' | 'failed';
  window: { from: string; to: string; timezone: string };
  /** The period's analysis (the JSON report's content); null when the run failed before it was complete. */
  analysis: ReportAnalysis | null;
  /** Records stored in this run, per app. */
  counts: Record<
    string,
    {
      records: number;
      unfinished: number;
      repolled: number;
      /** Read from the run cache, not enriched again. */
      cached: number;
      /** Kept although a field had a value of an unexpected type (that field is empty). */
      salvaged: number;
      /** Read from Dify's archive of runs its retention moved out of the logs (1.13+; explicit windows). */
      archived?: number;
      /**
       * Whether Dify offered that archive (`workflow-archived-logs`) for an explicit window: false when it has none.
       */
      archiveOffered?: boolean;
    }
  >;
  reports: StoredObject[];
  archive: StoredObject | null;
  /**
   * Chat apps' messages of the window (NDJSON of MessageRecords, data type `messages`); null when there were none, and
   * with a partitioned archive (the messages are then in `messagePartitions`).
   */
  messages: StoredObject | null;
  /** With archive mode `'partitioned'`: the gzip NDJSON parts and the manifests written (per app and UTC day). */
  partitions: ArchiveResult | null;
  /** With a partitioned archive, the chat messages' partitions (type `archive-messages`); else null. */
  messagePartitions: ArchiveResult | null;
  /**
   * With a partitioned archive, the conversations' partitions (type `archive-conversations`, by the UTC day each was
   * created); else null.
   */
  conversationPartitions: ArchiveResult | null;
  notifications: Array<{ notifier: string; delivered: boolean; error?: string }>;
  /** One entry per configured sink. */
  sinks: SinkOutcome[];
  timings: Partial<Record<PipelineStage, number>>;
  problems: PipelineProblem[];
  /** Alert events of this run (fired, repeated, resolved); empty without an alert policy. */
  alerts: AlertEvent[];
  /**
   * The console workspace the run read, checked before fetching (`switchedFrom`: another workspace had become current
   * and was switched away from); null without console access or when the check failed.
   */
  workspace?: WorkspaceCheck | null;
}
