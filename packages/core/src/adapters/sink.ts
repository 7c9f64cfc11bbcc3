import type { ConversationRecord, MessageRecord } from '../records/chat.js';
import type { RunRecord } from '../records/schema.js';

/** The window a sink is given. */
export interface SinkContext {
  job: string;
  /** Id of the pipeline run. */
  runId: string;
  window: { from: string; to: string; timezone: string };
}

/** What a committed write stored: rows per table or collection (inserted or updated). */
export interface SinkCommit {
  rows: Record<string, number>;
}

/**
 * One write of one window: every record of the window, then `commit`. Until `commit` resolves nothing of
 * the write may be visible as complete to readers (a transaction, a staging table, a completion marker);
 * after `abort` nothing of it is.
 */
export interface SinkWriter {
  /** Each record in archive order; return a promise to apply backpressure (a batch being written). */
  add(record: RunRecord): void | Promise<void>;
  /**
   * Each chat message of the window (chat, agent and chatflow apps), after the runs. A sink without it stores runs
   * only. Idempotent by message id, as runs are by log id.
   */
  addMessage?(message: MessageRecord): void | Promise<void>;
  /**
   * Each conversation with a message in the window (after the messages), as Dify listed it when the window was read.
   * A conversation changes after its first window (messages, feedback), so windows write newer versions of it:
   * idempotent by conversation id, keeping the newest version (`updatedAt`, else `createdAt`) and never replacing it
   * with an older one (a re-run of an older window). A sink without it stores no conversations.
   */
  addConversation?(conversation: ConversationRecord): void | Promise<void>;
  commit(): Promise<SinkCommit>;
  abort(reason: Error): Promise<void>;
}

/** Which rows `Sink.forget` removes: the runs of these end users (each form their identifier is stored in). */
export interface SinkForgetRequest {
  /** Values of the runs' `endUserSessionId` to match (the identifier as given and as the privacy policy stores it). */
  endUsers: readonly string[];
  /** First and last UTC day of the runs' log time (inclusive); absent: every day. */
  from?: string;
  to?: string;
  /** Count the rows, delete nothing. */
  dryRun?: boolean;
}

/**
 * A destination for the records themselves (a database table, a warehouse), beside the reports and the
 * archive. Writes are idempotent by Dify's ids: writing a window again (a retry, an overlapping window)
 * never duplicates a row. The pipeline replays the window from a local spool for each attempt, retries a
 * failing sink, and moves the watermark only when every sink committed.
 */
export interface Sink {
  /** Names the sink in results and problems (`postgres`, `mongodb`). */
  readonly name: string;
  open(context: SinkContext): Promise<SinkWriter>;
  /** Deletes the rows of end users (their runs and everything stored with them); the rows per table it removed. */
  forget?(request: SinkForgetRequest): Promise<SinkCommit>;
  close?(): Promise<void>;
}
