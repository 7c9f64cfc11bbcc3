import type { ConversationEndUser, ConversationTranscript, TranscriptMessage } from './types.js';

/** What the transcripts and the end-user table read of a message. */
export interface TranscriptFacts {
  appId: string;
  conversationId: string;
  messageId: string;
  createdAt: string;
  query: string | null;
  answer: string | null;
  feedback: 'like' | 'dislike' | null;
  error: string | null;
  endUserId?: string | null;
}

export const TRANSCRIPT_LIMITS = {
  /** Transcripts kept (the first conversations that failed or were disliked). */
  transcripts: 10,
  /** Messages per transcript. */
  turns: 20,
  /** Characters of a question, answer or error in a transcript. */
  text: 1000,
  /** Conversations whose last messages are remembered, for a transcript that starts before its failure. */
  recent: 2000,
  /** End users counted; the table shows the first 20 by conversations. */
  endUsers: 50_000,
  endUsersShown: 20,
};

const cut = (text: string | null) =>
  text === null ? null : text.length > TRANSCRIPT_LIMITS.text ? `${text.slice(0, TRANSCRIPT_LIMITS.text - 1)}…` : text;

const turnOf = (message: TranscriptFacts): TranscriptMessage => ({
  messageId: message.messageId,
  createdAt: message.createdAt,
  query: cut(message.query),
  answer: cut(message.answer),
  feedback: message.feedback,
  error: cut(message.error),
});

/**
 * The transcripts of the first conversations in which a message failed or was disliked (every turn up to
 * `TRANSCRIPT_LIMITS.turns`, the turns before the failure included while the conversation is among the last
 * `recent` ones), and conversations and messages per end user. Memory is bounded by the limits.
 */
export function createTranscripts() {
  const recent = new Map<string, TranscriptMessage[]>();
  const chosen = new Map<string, ConversationTranscript>();
  const users = new Map<string, { conversations: number; messages: number; dislikes: number; failed: number }>();
  let usersOverflow = 0;

  return {
    /** `firstOfConversation`: the first message seen of its conversation (it counts for the end user). */
    add(message: TranscriptFacts, flags: { failed: boolean; disliked: boolean }, firstOfConversation: boolean): void {
      const key = `${message.appId}\u0000${message.conversationId}`;
      if (message.endUserId) {
        let user = users.get(message.endUserId);
        if (!user && users.size < TRANSCRIPT_LIMITS.endUsers)
          users.set(message.endUserId, (user = { conversations: 0, messages: 0, dislikes: 0, failed: 0 }));
        if (!user) usersOverflow += 1;
        else {
          if (firstOfConversation) user.conversations += 1;
          user.messages += 1;
          if (flags.disliked) user.dislikes += 1;
          if (flags.failed) user.failed += 1;
        }
      }
      const transcript = chosen.get(key);
      if (transcript) {
        if (transcript.messages.length < TRANSCRIPT_LIMITS.turns) transcript.messages.push(turnOf(message));
        if (flags.failed) transcript.failed = true;
        if (flags.disliked) transcript.disliked = true;
        return;
      }
      const earlier = recent.get(key) ?? [];
      recent.delete(key);
      if ((flags.failed || flags.disliked) && chosen.size < TRANSCRIPT_LIMITS.transcripts) {
        chosen.set(key, {
          appId: message.appId,
          conversationId: message.conversationId,
          endUserId: message.endUserId ?? null,
          failed: flags.failed,
          disliked: flags.disliked,
          messages: [...earlier, turnOf(message)].slice(-TRANSCRIPT_LIMITS.turns),
        });
        return;
      }
      if (chosen.size >= TRANSCRIPT_LIMITS.transcripts) return;
      // The most recent conversations, least recently used first: a later failure finds the turns before it.
      recent.set(key, [...earlier, turnOf(message)].slice(-TRANSCRIPT_LIMITS.turns));
      if (recent.size > TRANSCRIPT_LIMITS.recent) recent.delete(recent.keys().next().value as string);
    },
    result(): { transcripts: ConversationTranscript[]; endUsers: ConversationEndUser[]; endUsersOverflow: number } {
      const endUsers = [...users.entries()]
        .map(([endUserId, user]) => ({
          endUserId,
          conversations: user.conversations,
          messages: user.messages,
          dislikes: user.dislikes,
          failed: user.failed,
        }))
        .sort(
          (a, b) =>
            b.conversations - a.conversations || b.messages - a.messages || a.endUserId.localeCompare(b.endUserId),
        )
        .slice(0, TRANSCRIPT_LIMITS.endUsersShown);
      return { transcripts: [...chosen.values()], endUsers, endUsersOverflow: usersOverflow };
    },
  };
}
