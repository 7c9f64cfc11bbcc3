import {
  conversationIndexOf,
  conversationUuid,
  CYCLE_CONVERSATIONS,
  firstMessageOf,
  SALT_FEEDBACK,
  SALT_MESSAGE,
  SIZES,
} from './chat-layout.js';
import { deriveUuid, RUN_KIND_PRODUCTION } from './ids.js';
import { unit, hash32 } from './prng.js';
import { detailRun, type RunSummary } from './runs.js';
import type { RunStore } from './store.js';
import type { WorldApp } from './world.js';

export const CHAT_MODES = ['advanced-chat', 'chat', 'agent-chat'] as const;
export const COMPLETION_MODES = ['completion'] as const;

/** A completion app's every message is a conversation of its own; chat apps group messages (`chat-layout.ts`). */
function single(app: WorldApp): boolean {
  return app.template.mode === 'completion';
}

export interface SimConversation {
  app: WorldApp;
  index: number;
  id: string;
  /** Message (run) indexes [first, last] that exist now. */
  first: number;
  last: number;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface SimMessage {
  conversation: SimConversation;
  index: number;
  id: string;
  run: RunSummary;
}

export function conversationId(store: RunStore, app: WorldApp, conversation: number): string {
  return conversationUuid(store.world.seed, app.index, conversation);
}

export function messageId(store: RunStore, app: WorldApp, index: number): string {
  return deriveUuid(store.world.seed, SALT_MESSAGE, app.index, index);
}

/** Whether message `index` exists (its run has finished). */
function hasMessage(store: RunStore, app: WorldApp, index: number): boolean {
  return index < store.count(app.index) && !['running', 'paused'].includes(store.traits(app.index, index).status);
}

/** Conversation `conversation` with the messages that exist now, or undefined when it has none. */
export function conversationAt(store: RunStore, app: WorldApp, conversation: number): SimConversation | undefined {
  const start = single(app) ? conversation : firstMessageOf(conversation);
  const size = single(app) ? 1 : SIZES[conversation % CYCLE_CONVERSATIONS]!;
  let first = -1;
  let last = -1;
  for (let index = start; index < start + size; index += 1) {
    if (!hasMessage(store, app, index)) continue;
    if (first < 0) first = index;
    last = index;
  }
  if (first < 0) return undefined;
  return {
    app,
    index: conversation,
    id: conversationId(store, app, conversation),
    first,
    last,
    createdAtMs: store.timeOf(app.index, first),
    updatedAtMs: store.timeOf(app.index, last),
  };
}

/** How many conversations an app has (some, at the newest end, may have no message yet). */
export function conversationCount(store: RunStore, app: WorldApp): number {
  const count = store.count(app.index);
  if (single(app)) return count;
  return count === 0 ? 0 : conversationIndexOf(count - 1).conversation + 1;
}

/** Finds a conversation by id (a scan: ids are hashes). */
export function findConversation(store: RunStore, app: WorldApp, id: string): SimConversation | undefined {
  const total = conversationCount(store, app);
  for (let conversation = 0; conversation < total; conversation += 1) {
    if (conversationId(store, app, conversation) === id) return conversationAt(store, app, conversation);
  }
  return undefined;
}

export function messagesOf(store: RunStore, conversation: SimConversation): SimMessage[] {
  const messages: SimMessage[] = [];
  for (let index = conversation.first; index <= conversation.last; index += 1) {
    if (!hasMessage(store, conversation.app, index)) continue;
    messages.push({
      conversation,
      index,
      id: messageId(store, conversation.app, index),
      run: store.summary(conversation.app.index, index),
    });
  }
  return messages;
}

/** The end user's rating of a message: 12 % like, 4 % dislike (more dislikes on failed runs). */
export function feedbackOf(store: RunStore, message: SimMessage): 'like' | 'dislike' | null {
  const share = unit(store.world.seed, SALT_FEEDBACK, message.conversation.app.index, message.index);
  const failed = message.run.status === 'failed';
  if (share < (failed ? 0.3 : 0.04)) return 'dislike';
  if (!failed && share > 0.88) return 'like';
  return null;
}

/** Annotated conversations: about 5 %. */
export function isAnnotated(store: RunStore, conversation: SimConversation): boolean {
  return hash32(store.world.seed, SALT_FEEDBACK, conversation.app.index, conversation.index, 7) % 20 === 0;
}

/** Query, answer, tokens and latency of a message, from its run. */
export function messageContent(store: RunStore, message: SimMessage) {
  const detail = detailRun(store.world, message.run);
  const query = String(detail.inputs['sys.query'] ?? detail.content.prompt);
  const failed = detail.status === 'failed';
  const answer = failed ? '' : String((detail.outputs as { answer?: unknown } | null)?.answer ?? detail.content.answer);
  const messageTokens = Math.round(detail.totalTokens * 0.7);
  return {
    detail,
    query,
    answer,
    messageTokens,
    answerTokens: detail.totalTokens - messageTokens,
    latency: detail.elapsedTime,
    error: failed ? detail.error : null,
  };
}

export const PRODUCTION = RUN_KIND_PRODUCTION;
