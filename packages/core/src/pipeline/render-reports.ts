import type { ReportFile, Reporter } from '../adapters/reporter.js';
import { createAnalyzer } from '../analysis/analyzer.js';
import { compareAnalyses, type AnomalyThresholds } from '../analysis/compare.js';
import type { PriceTable } from '../analysis/prices.js';
import type { ReportAnalysis } from '../analysis/types.js';
import { DifyConfigError } from '../errors/config-error.js';
import type { RunRecord } from '../records/schema.js';
import { createPrivacyPolicy, type PrivacyOptions } from '../privacy/policy.js';
import { createConversationAnalyzer } from '../analysis/conversations.js';
import type { ConversationAnalysis } from '../analysis/types.js';
import type { ConversationRecord, MessageRecord } from '../records/chat.js';
import { openReportWriters } from './report-stage.js';
import { defaultReporters } from './reporters.js';
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
}

export interface RenderedReports {
  analysis: ReportAnalysis;
  files: Array<{ format: string; file: ReportFile }>;
  /** Formats that failed; the others are in `files`. */
  problems: PipelineProblem[];
  /** Releases spool files: call after the files' bodies were consumed. */
  close(): Promise<void>;
}

/**
 * Renders reports from records that are already at hand (an NDJSON archive), without Dify: the
 * same analysis and reporters as the pipeline, one streaming pass. Records outside an explicit
 * `window` are skipped.
 */
export async function renderReports(
  records: AsyncIterable<RunRecord>,
  options: RenderReportsOptions,
): Promise<RenderedReports> {
  const reporters = { ...defaultReporters, ...options.reporters };
  for (const format of options.formats)
    if (!reporters[format])
      throw new DifyConfigError(
        'formats',
        `no reporter for format ${JSON.stringify(format)} (have ${Object.keys(reporters).join(', ')})`,
      );
  const privacy = createPrivacyPolicy(options.privacy);
  const now = options.now?.() ?? new Date();
  const timezone = options.timezone ?? 'UTC';
  const runId = options.runId ?? `report-${now.toISOString().replace(/[-:.]/g, '')}`;
  const provisional = {
    from: options.window?.from ?? now.toISOString(),
    to: options.window?.to ?? now.toISOString(),
    timezone,
  };
  const analyzer = createAnalyzer({
    job: options.job,
    runId,
    window: provisional,
    generatedAt: now.toISOString(),
    consoleUrl: options.consoleUrl ?? null,
    explorerUrl: options.explorerUrl,
    prices: options.prices,
  });
  const writers = await openReportWriters(options.formats, reporters, { job: options.job, runId, window: provisional });
  try {
    const from = options.window ? Date.parse(options.window.from) : Number.NEGATIVE_INFINITY;
    const to = options.window ? Date.parse(options.window.to) : Number.POSITIVE_INFINITY;
    let first: string | undefined;
    let last: string | undefined;
    for await (const read of records) {
      const record = privacy.run(read);
      const at = Date.parse(record.loggedAt);
      if (at < from || at > to) continue;
      if (first === undefined || record.loggedAt < first) first = record.loggedAt;
      if (last === undefined || record.loggedAt > last) last = record.loggedAt;
      analyzer.add(record);
      const pending = writers.add(record);
      if (pending) await pending;
    }
    const conversations = options.messages
      ? await readMessages(options.messages, { privacy, from, to, timezone, writers })
      : undefined;
    if (conversations && options.conversations) await nameTranscripts(conversations, options.conversations, privacy);
    const analysis = analyzer.result();
    if (conversations) analysis.conversations = conversations;
    if (!options.window) analysis.window = { from: first ?? provisional.from, to: last ?? provisional.to, timezone };
    analysis.privacy = privacy.statement;
    if (options.previous) analysis.comparison = compareAnalyses(analysis, options.previous, options.anomalies);
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
