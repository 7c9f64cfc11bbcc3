import type { PrivacyStatement } from '../privacy/policy.js';

/**
 * The report object: everything a report shows about one period, computed in one streaming pass
 * (`createAnalyzer`), mergeable across shards, and serialised as the JSON report (schemaVersion 1).
 * Times are ISO-8601 UTC; durations are seconds; money is per currency (`{ USD: 1.25, RMB: 3 }`).
 */

/** Percentiles from a DDSketch (1 % relative accuracy); null when there were no values. */
export interface LatencyStats {
  count: number;
  mean: number | null;
  max: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
}

/** Amount per currency code, e.g. `{ USD: 0.42 }`. Empty when nothing was priced. */
export type Money = Record<string, number>;

export interface StatusCounts {
  runs: number;
  /** Runs per status; `lost` for runs whose row Dify no longer has. */
  byStatus: Record<string, number>;
  /** succeeded / finished (succeeded, failed, stopped, partial-succeeded); null when none finished. */
  successRate: number | null;
}

export interface TimeBucket {
  /** Start of the hour or day (ISO UTC); days start at local midnight of the report's time zone. */
  start: string;
  runs: number;
  failed: number;
  tokens: number;
}

export interface AppAnalysis extends StatusCounts {
  appId: string;
  latency: LatencyStats;
  tokens: number;
  cost: Money;
  enrichmentFailures: number;
  lostRuns: number;
}

export interface ModelAnalysis {
  /** Provider as Dify names it (`langgenius/openai/openai`), or null. */
  provider: string | null;
  model: string;
  /** Node executions that used the model. */
  calls: number;
  tokens: number;
  promptTokens: number;
  completionTokens: number;
  cost: Money;
  latency: LatencyStats;
}

export interface NodeAnalysis {
  /** Node title (falls back to the node id); nodes are grouped by title and type. */
  title: string;
  type: string;
  executions: number;
  /** Executions with status failed or exception. */
  failed: number;
  latency: LatencyStats;
  tokens: number;
  cost: Money;
}

export interface EndUserAnalysis {
  /** End-user session id, or the account e-mail for console runs; `(anonymous)` when neither. */
  user: string;
  runs: number;
  failed: number;
  tokens: number;
  cost: Money;
}

export interface ErrorGroup {
  /** The normalised message: ids, numbers, URLs and e-mails replaced by placeholders. */
  signature: string;
  /** One original message (trimmed to 500 characters). */
  example: string;
  /** Title of the failing node, when a node failed; null for run-level errors. */
  node: string | null;
  count: number;
  firstSeen: string;
  lastSeen: string;
  /** Up to 5 app ids and run ids, in the order they were met. */
  samples: Array<{ appId: string; runId: string | null }>;
}

export interface TokenMismatch {
  appId: string;
  runId: string | null;
  /** The run's total as Dify stated it. */
  stated: number;
  /** The sum over its node executions (containers such as iterations not counted twice). */
  recomputed: number;
}

export interface SlowRun {
  appId: string;
  runId: string | null;
  status: string | null;
  seconds: number;
  createdAt: string;
}

export interface AnomalyFlag {
  metric: 'runs' | 'successRate' | 'p95' | 'cost' | 'failures';
  severity: 'warning' | 'critical';
  /** A plain sentence: what changed, by how much, against which threshold. */
  message: string;
}

export interface Comparison {
  previous: { from: string; to: string };
  runs: { current: number; previous: number; change: number | null };
  successRate: { current: number | null; previous: number | null; change: number | null };
  p95: { current: number | null; previous: number | null; change: number | null };
  /** In the main currency (the one with the largest amount now). */
  cost: { currency: string | null; current: number; previous: number; change: number | null };
  flags: AnomalyFlag[];
}

export interface ReportAnalysis extends StatusCounts {
  schemaVersion: 1;
  job: string;
  runId: string;
  window: { from: string; to: string; timezone: string };
  generatedAt: string;
  /** Base URL of the Dify console, for links to runs (`{consoleUrl}/app/{appId}/logs`); null when unknown. */
  consoleUrl: string | null;
  /**
   * Public address of the run explorer (`dify-logs serve`), for links to its run and error pages; absent when not
   * configured (`serve.publicUrl`).
   */
  explorerUrl?: string;
  latency: LatencyStats;
  tokens: {
    /** Sum of the runs' totals as Dify stated them. */
    stated: number;
    /**
     * Sum with each run's total recomputed from its nodes where nodes were fetched (Dify undercounts iterations and
     * agents).
     */
    effective: number;
    promptTokens: number;
    completionTokens: number;
    /** Runs whose stated total differs from the sum of their nodes. */
    mismatchedRuns: number;
  };
  cost: Money;
  perHour: TimeBucket[];
  perDay: TimeBucket[];
  byTrigger: Record<string, number>;
  byVersion: Record<string, number>;
  apps: AppAnalysis[];
  models: ModelAnalysis[];
  /** Sorted by executions, most first. */
  nodes: NodeAnalysis[];
  /** The 50 users with most runs. */
  endUsers: EndUserAnalysis[];
  /** Sorted by count, most first; at most 100 groups (the rest counted in `otherErrors`). */
  errors: ErrorGroup[];
  otherErrors: number;
  /** Up to 20 examples. */
  tokenMismatches: TokenMismatch[];
  /** The 10 slowest finished runs. */
  slowestRuns: SlowRun[];
  enrichmentFailures: number;
  lostRuns: number;
  /** Runs kept although a field Dify sent had an unexpected type (that field is empty on the record). */
  salvaged: number;
  /** Log rows Dify sent without what identifies them: not in the report (each is a problem of the run). */
  droppedRows: number;
  failedApps: Array<{ appId: string; error: string }>;
  /** Against the previous window of the same length, when its report was found. */
  comparison: Comparison | null;
  /** Chat apps (chatflow, chat, agent): their conversations and messages. Absent when the report has none. */
  conversations?: ConversationAnalysis;
  /**
   * The Dify workspace the console read (checked before apps were listed); `pinned` when `dify.console.workspaceId`
   * (or the admin key) named it. Absent without console access.
   */
  workspace?: { id: string; name: string | null; pinned: boolean };
  /**
   * The window starts before Dify's log retention cut-off (`days` before the run) and these apps had no archive of
   * older runs to read: runs before `cutoff` may be gone. `assumed`: Dify's default of 30 days (no
   * `dify.retentionDays`).
   */
  retention?: { days: number; assumed: boolean; cutoff: string; apps: string[] };
  /** The privacy policy the records were read under: what was masked, hashed or dropped. */
  privacy?: PrivacyStatement;
  /**
   * Paused runs with where they wait (Dify >= 1.13 with console access), oldest first, at most 50. Absent when none.
   */
  pausedRuns?: PausedRun[];
}

/** A paused run of the window and the node(s) it waits at (a Human Input form for a person). */
export interface PausedRun {
  appId: string;
  runId: string;
  createdAt: string;
  pausedAt: string | null;
  nodes: Array<{ nodeId: string; nodeTitle: string | null; type: string; formId: string | null }>;
}

/** Conversations and messages of the chat apps in the window (chatflow runs are also counted as runs). */
export interface ConversationAnalysis {
  conversations: number;
  messages: number;
  /** Likes and dislikes given by end users; satisfaction = likes / (likes + dislikes), null when none rated. */
  feedback: { likes: number; dislikes: number; satisfaction: number | null };
  /** Messages with an error. */
  failed: number;
  /** Messages without an answer (and without an error). */
  unanswered: number;
  tokens: number;
  tokensPerConversation: {
    count: number;
    mean: number | null;
    p50: number | null;
    p95: number | null;
    max: number | null;
  };
  /** Response latency (question to answer), seconds. */
  latency: LatencyStats;
  perDay: ConversationDay[];
  /** Most messages first. */
  apps: ConversationAppAnalysis[];
  /** Questions that failed, went unanswered or were disliked, most frequent first (at most 20). */
  topQuestions: QuestionGroup[];
  /** Conversations per end user, most first (at most 20; messages without an end user are not counted). */
  endUsers: ConversationEndUser[];
  /** The first conversations (at most 10) in which a message failed or was disliked, turn by turn. */
  transcripts: ConversationTranscript[];
}

export interface ConversationEndUser {
  /** Dify's end-user id. */
  endUserId: string;
  conversations: number;
  messages: number;
  dislikes: number;
  failed: number;
}

export interface ConversationTranscript {
  appId: string;
  conversationId: string;
  /**
   * The conversation's name in Dify, when the report read the archived conversations (`report --input archive://…`,
   * `runtime.report` over the archive); absent otherwise.
   */
  name?: string | null;
  endUserId: string | null;
  failed: boolean;
  disliked: boolean;
  /** Oldest first, at most 20; texts cut at 1,000 characters. */
  messages: TranscriptMessage[];
}

export interface TranscriptMessage {
  messageId: string;
  createdAt: string;
  query: string | null;
  answer: string | null;
  feedback: 'like' | 'dislike' | null;
  error: string | null;
}

export interface ConversationDay {
  /** Local midnight of the report's time zone (ISO UTC). */
  start: string;
  /** Conversations with a message that day. */
  conversations: number;
  messages: number;
  likes: number;
  dislikes: number;
  failed: number;
}

export interface ConversationAppAnalysis {
  appId: string;
  conversations: number;
  messages: number;
  likes: number;
  dislikes: number;
  failed: number;
  unanswered: number;
  tokens: number;
  latency: LatencyStats;
}

export interface QuestionGroup {
  /** The latest wording of the question (trimmed to 500 characters); grouped case- and space-insensitively. */
  question: string;
  count: number;
  failed: number;
  unanswered: number;
  disliked: number;
  lastSeen: string;
  /** The latest error text, when one failed. */
  error: string | null;
  /** Up to 5 messages, in the order they were met. */
  samples: Array<{ appId: string; conversationId: string; messageId: string }>;
}
