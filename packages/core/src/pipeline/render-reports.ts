import type { ReportFile, Reporter } from '../adapters/reporter.js';
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { createAnalyzer } from '../analysis/analyzer.js';
import type { AnomalyThresholds } from '../analysis/compare.js';
import type { PriceTable } from '../analysis/prices.js';
import type { ReportAnalysis } from '../analysis/types.js';
import type { RunRecord } from '../records/schema.js';
import { createPrivacyPolicy, type PrivacyOptions } from '../privacy/policy.js';
import { createConversationAnalyzer } from '../analysis/conversations.js';
import type { ConversationAnalysis } from '../analysis/types.js';
import type { ConversationRecord, MessageRecord } from '../records/chat.js';
import { openReportWriters } from './report-stage.js';
import { readRunRecords } from '../records/ndjson.js';
import { renderInParallel, type ChunkSettings } from './render/parallel.js';
import { reportSetup, type ReportSetup } from './render/setup.js';
import { defaultThreads } from './render/threads.js';
import type { PipelineProblem } from './types.js';

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

/**
 * Renders reports from records that are already at hand (an NDJSON archive, the run cache), without Dify: the same
 * analysis and reporters as the pipeline. Records outside an explicit `window` are skipped. A stream is read in one
 * pass on this thread; `files` are cut into chunks that `threads` threads read at once (see `threads`), with the same
 * reports, byte for byte.
 */
export async function renderReports(
  source: AsyncIterable<RunRecord> | RecordFiles,
  options: RenderReportsOptions,
): Promise<RenderedReports> {
  const setup = reportSetup(options);
  if (Symbol.asyncIterator in source) return renderStream(source, setup);
  const files = source.files.map((file) => ({ path: file.path, name: file.name ?? basename(file.path) }));
  const threads = options.threads ?? defaultThreads(sizeOf(files));
  if (threads > 1 && !options.messages) {
    const rendered = await renderInParallel(files, setup, threads, options.chunking);
    if (rendered) return rendered;
  }
  return renderStream(fileRecords(files), setup);
}

/** The files' total size; 0 when one is missing (the one-pass path reports it as usual). */
function sizeOf(files: ReadonlyArray<{ path: string }>): number {
  try {
    return files.reduce((sum, file) => sum + statSync(file.path).size, 0);
  } catch {
    return 0;
  }
}

async function* fileRecords(files: ReadonlyArray<{ path: string; name: string }>): AsyncGenerator<RunRecord> {
  for (const file of files) yield* readRunRecords(file.path, file.name);
}

/** One pass over `records` on this thread. */
async function renderStream(records: AsyncIterable<RunRecord>, setup: ReportSetup): Promise<RenderedReports> {
  const { options, reporters, runId, provisional } = setup;
  const privacy = createPrivacyPolicy(options.privacy);
  const analyzer = createAnalyzer(setup.analyzerOptions);
  const writers = await openReportWriters(options.formats, reporters, { job: options.job, runId, window: provisional });
  try {
    const from = options.window ? Date.parse(options.window.from) : Number.NEGATIVE_INFINITY;
    const to = options.window ? Date.parse(options.window.to) : Number.POSITIVE_INFINITY;
    let first: string | null = null;
    let last: string | null = null;
    for await (const read of records) {
      const record = privacy.run(read);
      const at = Date.parse(record.loggedAt);
      if (at < from || at > to) continue;
      if (first === null || record.loggedAt < first) first = record.loggedAt;
      if (last === null || record.loggedAt > last) last = record.loggedAt;
      analyzer.add(record);
      const pending = writers.add(record);
      if (pending) await pending;
    }
    const conversations = options.messages
      ? await readMessages(options.messages, { privacy, from, to, timezone: provisional.timezone, writers })
      : undefined;
    if (conversations && options.conversations) await nameTranscripts(conversations, options.conversations, privacy);
    const analysis = analyzer.result();
    if (conversations) analysis.conversations = conversations;
    setup.finish(analysis, first, last);
    const files = await writers.finish(analysis);
    return { analysis, files, problems: writers.problems, close: () => writers.close() };
  } catch (error) {
    await writers.close();
    throw error;
  }
}

/**
 * The conversation analysis of `messages` within `[from, to]`; each message also goes to the reports that read them.
 */
async function readMessages(
  messages: AsyncIterable<MessageRecord>,
  context: {
    privacy: ReturnType<typeof createPrivacyPolicy>;
    from: number;
    to: number;
    timezone: string;
    writers: { addMessage(message: MessageRecord): Promise<void> };
  },
): Promise<ConversationAnalysis | undefined> {
  const conversations = createConversationAnalyzer({ timezone: context.timezone });
  let any = false;
  for await (const read of messages) {
    const message = context.privacy.message(read);
    const at = Date.parse(message.createdAt);
    if (at < context.from || at > context.to) continue;
    any = true;
    conversations.touch(message.appId);
    conversations.add(message);
    await context.writers.addMessage(message);
  }
  return any ? conversations.result() : undefined;
}

/**
 * Heads each transcript with its conversation's name from the archived conversations (privacy applied), reading them
 * as a stream: memory holds the transcripts only.
 */
async function nameTranscripts(
  analysis: ConversationAnalysis,
  conversations: AsyncIterable<ConversationRecord>,
  privacy: ReturnType<typeof createPrivacyPolicy>,
): Promise<void> {
  const transcripts = new Map(
    analysis.transcripts.map((transcript) => [`${transcript.appId}\u0000${transcript.conversationId}`, transcript]),
  );
  if (transcripts.size === 0) return;
  for await (const read of conversations) {
    const transcript = transcripts.get(`${read.appId}\u0000${read.conversationId}`);
    if (transcript) transcript.name = privacy.conversation(read).name;
  }
}
