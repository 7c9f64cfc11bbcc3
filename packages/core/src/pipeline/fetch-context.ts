import type { AppState } from '../adapters/state.js';
import type { RunCache } from '../adapters/run-cache.js';
import type { Analyzer } from '../analysis/analyzer.js';
import type { ConversationAnalyzer } from '../analysis/conversations.js';
import type { Logger } from '../logging/logger.js';
import type { ConversationRecord, MessageRecord } from '../records/chat.js';
import type { PrivacyPolicy } from '../privacy/policy.js';
import type { ResolvedWindow } from '../time/window.js';
import type { PipelineEvent, PipelineJob, PipelineProblem, PipelineResult } from './types.js';

/** What the fetch stage is given for one run. */
export interface FetchInputs {
  job: PipelineJob;
  window: ResolvedWindow;
  /** Incremental jobs skip logs already counted and hold unfinished runs back until they finish. */
  incremental: boolean;
  overlapMs: number;
  states: Map<string, AppState>;
  analyzer: Pick<Analyzer, 'add' | 'touch' | 'failApp' | 'noteFetch'>;
  logger: Logger;
  onEvent: (event: PipelineEvent) => void;
  /** Finished runs already enriched (the state store's cache), unless the job turned it off. */
  runCache?: RunCache;
  /** Chat apps' messages are analysed here (the report's conversation section). */
  conversations?: Pick<ConversationAnalyzer, 'add' | 'touch'>;
  /** Applied to every record and message as soon as it is read. */
  privacy: PrivacyPolicy;
  /** Every chat message of the window (for the messages export). */
  onMessage?: (message: MessageRecord) => Promise<void> | void;
  /** Every conversation with a message in the window, once, as Dify lists it now. */
  onConversation?: (conversation: ConversationRecord) => Promise<void> | void;
}

/** What the fetch stage found, filled as the records stream past (a run that fails half-way keeps what it read). */
export interface FetchOutcome {
  /** Records read, per app. */
  counts: PipelineResult['counts'];
  /** Per app that was read completely: the state to commit once the run is stored. */
  nextStates: Map<string, AppState>;
  problems: PipelineProblem[];
}

/**
 * What the fetch stage and the chat fetch share for one run (its own module: both import it, neither imports the
 * other's).
 */
export interface FetchContext extends FetchInputs, FetchOutcome {}
