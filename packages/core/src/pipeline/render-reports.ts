import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { createAnalyzer } from '../analysis/analyzer.js';
import { createConversationAnalyzer } from '../analysis/conversations.js';
import type { ConversationAnalysis } from '../analysis/types.js';
import { createPrivacyPolicy } from '../privacy/policy.js';
import type { ConversationRecord, MessageRecord } from '../records/chat.js';
import { readRunRecords } from '../records/ndjson.js';
import type { RunRecord } from '../records/schema.js';
import { renderInParallel } from './render/parallel.js';
import { reportSetup, type ReportSetup } from './render/setup.js';
import { createRecordWindow, inBounds, windowBounds, type WindowBounds } from './render/record-window.js';
import { defaultThreads, type SizedFile } from './render/threads.js';
import type { RecordFiles, RenderedReports, RenderReportsOptions } from './render/types.js';
import { openReportWriters } from './report-stage.js';

export type { ChunkSettings, RecordFiles, RenderedReports, RenderReportsOptions } from './render/types.js';

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
  const sized = withSizes(files);
  const threads = options.threads ?? defaultThreads(sized ? sized.reduce((sum, file) => sum + file.size, 0) : 0);
  if (threads > 1 && sized && !options.messages) {
    const rendered = await renderInParallel(sized, setup, threads, options.chunking);
    if (rendered) return rendered;
  }
  return renderStream(fileRecords(files), setup);
}

/** The files with their sizes; undefined when one cannot be read (the one-pass path reports it as usual). */
function withSizes(files: ReadonlyArray<{ path: string; name: string }>): SizedFile[] | undefined {
  try {
    return files.map((file) => ({ ...file, size: statSync(file.path).size }));
  } catch {
    return undefined;
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
    const bounds = windowBounds(options.window);
    const window = createRecordWindow(bounds);
    for await (const read of records) {
      const record = privacy.run(read);
      if (!window.take(record)) continue;
      analyzer.add(record);
      const pending = writers.add(record);
      if (pending) await pending;
    }
    const conversations = options.messages
      ? await readMessages(options.messages, { privacy, bounds, timezone: provisional.timezone, writers })
      : undefined;
    if (conversations && options.conversations) await nameTranscripts(conversations, options.conversations, privacy);
    const analysis = analyzer.result();
    if (conversations) analysis.conversations = conversations;
    setup.finish(analysis, window.first, window.last);
    const files = await writers.finish(analysis);
    return { analysis, files, problems: writers.problems, close: () => writers.close() };
  } catch (error) {
    await writers.close();
    throw error;
  }
}

/**
 * The conversation analysis of `messages` within the window's bounds; each message also goes to the reports that
 * read them.
 */
async function readMessages(
  messages: AsyncIterable<MessageRecord>,
  context: {
    privacy: ReturnType<typeof createPrivacyPolicy>;
    bounds: WindowBounds;
    timezone: string;
    writers: { addMessage(message: MessageRecord): Promise<void> };
  },
): Promise<ConversationAnalysis | undefined> {
  const conversations = createConversationAnalyzer({ timezone: context.timezone });
  let any = false;
  for await (const read of messages) {
    const message = context.privacy.message(read);
    if (!inBounds(context.bounds, Date.parse(message.createdAt))) continue;
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
