import { startOfDayIn } from '../time/window.js';
import { CappedMap } from './groups.js';
import { Latency } from './latency.js';
import { createTranscripts } from './transcripts.js';
import type { ConversationAnalysis, ConversationAppAnalysis, ConversationDay, QuestionGroup } from './types.js';

/** What the conversation analysis reads of a message (a `MessageRecord` has these fields). */
export interface MessageFacts {
  appId: string;
  conversationId: string;
  messageId: string;
  createdAt: string;
  query: string | null;
  answer: string | null;
  /** Message (prompt) plus answer tokens. */
  totalTokens: number;
  /** Seconds from the question to the answer (Dify's `provider_response_latency`); null when unknown. */
  latency: number | null;
  /** The end user's rating. */
  feedback: 'like' | 'dislike' | null;
  /** `normal`, `error`, … as Dify reports it; an `error` (or a message with an error) counts as failed. */
  status: string | null;
  error: string | null;
  /** Dify's end-user id (the end-user table, transcripts). */
  endUserId?: string | null;
}

const LIMITS = { questions: 2000, questionsShown: 20, conversations: 200_000 };

class AppTally {
  conversations = 0;
  messages = 0;
  likes = 0;
  dislikes = 0;
  failed = 0;
  unanswered = 0;
  tokens = 0;
  latency = new Latency();
}

class QuestionTally {
  count = 0;
  failed = 0;
  unanswered = 0;
  disliked = 0;
  lastSeen = '';
  example = '';
  error: string | null = null;
  samples: QuestionGroup['samples'] = [];
}

/** The question as asked, trimmed and collapsed: the same question asked twice is one group. */
function questionKey(query: string): string {
  const text = query.replace(/\s+/g, ' ').trim().toLowerCase();
  return text.length > 200 ? text.slice(0, 200) : text;
}

/** A failed message: Dify's `error` status, or an error text. */
const isFailed = (message: MessageFacts) =>
  message.status === 'error' || (message.error !== null && message.error !== '');
/** No answer text (and not failed: a failure is counted as such). */
const isUnanswered = (message: MessageFacts) =>
  !isFailed(message) && (message.answer === null || message.answer.trim() === '');

export interface ConversationAnalyzer {
  add(message: MessageFacts): void;
  /** An app whose conversations were read, even when it had none in the window. */
  touch(appId: string): void;
  result(): ConversationAnalysis;
}

/**
 * Analyses chat messages in one streaming pass: conversations and messages per day (in the report's time zone),
 * likes and dislikes, response latency percentiles, tokens per conversation, and the questions that failed, went
 * unanswered or were disliked, most frequent first. Memory is bounded by the capped question groups and the set of
 * conversation ids (at most 200,000; beyond that, conversations are counted per day only).
 */
export function createConversationAnalyzer(options: { timezone: string }): ConversationAnalyzer {
  const apps = new Map<string, AppTally>();
  const days = new Map<number, ConversationDay>();
  /**
   * One entry per conversation (at most `LIMITS.conversations`): its tokens and the days it had messages on (usually
   * one), so conversations are counted per app, per day and per end user without a set of ids for each.
   */
  const seen = new Map<string, { tokens: number; days: number | number[] }>();
  const latency = new Latency();
  const questions = new CappedMap<QuestionTally>(LIMITS.questions);
  let messages = 0;
  let likes = 0;
  let dislikes = 0;
  let failed = 0;
  let unanswered = 0;
  let tokens = 0;
  const transcripts = createTranscripts();

  const app = (appId: string) => {
    let tally = apps.get(appId);
    if (!tally) apps.set(appId, (tally = new AppTally()));
    return tally;
  };

  return {
    touch: (appId) => void app(appId),
    add(message) {
      const perApp = app(message.appId);
      const conversation = `${message.appId}\u0000${message.conversationId}`;
      const messageFailed = isFailed(message);
      const messageUnanswered = isUnanswered(message);
      const messageTokens = Number.isFinite(message.totalTokens) ? message.totalTokens : 0;
      messages += 1;
      perApp.messages += 1;
      let entry = seen.get(conversation);
      const isNew = entry === undefined && seen.size < LIMITS.conversations;
      if (isNew) {
        seen.set(conversation, (entry = { tokens: 0, days: Number.NaN }));
        perApp.conversations += 1;
      }
      if (message.feedback === 'like') ((likes += 1), (perApp.likes += 1));
      if (message.feedback === 'dislike') ((dislikes += 1), (perApp.dislikes += 1));
      if (messageFailed) ((failed += 1), (perApp.failed += 1));
      if (messageUnanswered) ((unanswered += 1), (perApp.unanswered += 1));
      tokens += messageTokens;
      perApp.tokens += messageTokens;
      if (message.latency !== null) {
        latency.add(message.latency);
        perApp.latency.add(message.latency);
      }
      if (entry) entry.tokens += messageTokens;

      const dayStart = startOfDayIn(new Date(message.createdAt), options.timezone).getTime();
      let day = days.get(dayStart);
      if (!day)
        days.set(
          dayStart,
          (day = {
            start: new Date(dayStart).toISOString(),
            conversations: 0,
            messages: 0,
            likes: 0,
            dislikes: 0,
            failed: 0,
          }),
        );
      day.messages += 1;
      if (!entry) day.conversations += 1;
      else if (Number.isNaN(entry.days)) {
        // Most conversations have messages on one day: a number until a second day comes.
        entry.days = dayStart;
        day.conversations += 1;
      } else if (typeof entry.days === 'number' ? entry.days !== dayStart : !entry.days.includes(dayStart)) {
        entry.days = typeof entry.days === 'number' ? [entry.days, dayStart] : [...entry.days, dayStart];
        day.conversations += 1;
      }
      if (message.feedback === 'like') day.likes += 1;
      if (message.feedback === 'dislike') day.dislikes += 1;
      if (messageFailed) day.failed += 1;
      transcripts.add(message, { failed: messageFailed, disliked: message.feedback === 'dislike' }, isNew);

      if ((messageFailed || messageUnanswered || message.feedback === 'dislike') && message.query) {
        const group = questions.get(questionKey(message.query), () => new QuestionTally());
        if (group) {
          group.count += 1;
          if (messageFailed) group.failed += 1;
          if (messageUnanswered) group.unanswered += 1;
          if (message.feedback === 'dislike') group.disliked += 1;
          if (message.createdAt >= group.lastSeen) {
            group.lastSeen = message.createdAt;
            group.example = message.query.length > 500 ? `${message.query.slice(0, 499)}…` : message.query;
            if (message.error)
              group.error = message.error.length > 500 ? `${message.error.slice(0, 499)}…` : message.error;
          }
          if (group.samples.length < 5)
            group.samples.push({
              appId: message.appId,
              conversationId: message.conversationId,
              messageId: message.messageId,
            });
        }
      }
    },
    result() {
      const perConversation = new Latency();
      for (const { tokens: total } of seen.values()) perConversation.add(total);
      const conversationTokens = perConversation.stats();
      const rated = likes + dislikes;
      const appResults: ConversationAppAnalysis[] = [...apps.entries()].map(([appId, tally]) => ({
        appId,
        conversations: tally.conversations,
        messages: tally.messages,
        likes: tally.likes,
        dislikes: tally.dislikes,
        failed: tally.failed,
        unanswered: tally.unanswered,
        tokens: tally.tokens,
        latency: tally.latency.stats(),
      }));
      const topQuestions: QuestionGroup[] = [...questions.entries.values()]
        .map((group) => ({
          question: group.example,
          count: group.count,
          failed: group.failed,
          unanswered: group.unanswered,
          disliked: group.disliked,
          lastSeen: group.lastSeen,
          error: group.error,
          samples: group.samples,
        }))
        .sort(
          (a, b) => b.count - a.count || b.lastSeen.localeCompare(a.lastSeen) || a.question.localeCompare(b.question),
        )
        .slice(0, LIMITS.questionsShown);
      return {
        conversations: appResults.reduce((sum, tally) => sum + tally.conversations, 0),
        messages,
        feedback: { likes, dislikes, satisfaction: rated === 0 ? null : likes / rated },
        failed,
        unanswered,
        tokens,
        tokensPerConversation: {
          count: conversationTokens.count,
          mean: conversationTokens.mean,
          p50: conversationTokens.p50,
          p95: conversationTokens.p95,
          max: conversationTokens.max,
        },
        latency: latency.stats(),
        perDay: [...days.entries()].sort((a, b) => a[0] - b[0]).map(([, day]) => day),
        apps: appResults.sort((a, b) => b.messages - a.messages || a.appId.localeCompare(b.appId)),
        topQuestions,
        ...(({ endUsersOverflow: _overflow, ...rest }) => rest)(transcripts.result()),
      };
    },
  };
}
