import type { ConversationAnalysis } from '../analysis/types.js';
import { markdownCell } from './markdown-cell.js';

type Table = (header: string[], align: string[], rows: unknown[][]) => string[];
/** Untrusted text (questions, answers, ids) for a Markdown line: see `markdownCell`. */
const cell = (text: string) => markdownCell(text);
type Format = { percent: (value: number | null) => string; seconds: (value: number | null) => string };

const short = (text: string, length = 120) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

/** The Markdown report's conversation section (chat apps): totals, apps, days, questions that went wrong. */
export function markdownConversations(conversations: ConversationAnalysis, table: Table, format: Format): string[] {
  const { feedback, latency } = conversations;
  const perConversation = conversations.tokensPerConversation;
  const rounded = (value: number | null) => (value === null ? 'n/a' : Math.round(value));
  const lines = [
    '',
    '## Conversations',
    '',
    `- Conversations: **${conversations.conversations}**, messages ${conversations.messages}, ` +
      `failed ${conversations.failed}, unanswered ${conversations.unanswered}`,
    `- Feedback: ${feedback.likes} likes, ${feedback.dislikes} dislikes, ` +
      `satisfaction ${format.percent(feedback.satisfaction)}`,
    `- Response time: p50 ${format.seconds(latency.p50)}, p95 ${format.seconds(latency.p95)}, ` +
      `p99 ${format.seconds(latency.p99)}`,
    `- Tokens: ${conversations.tokens} ` +
      `(per conversation: mean ${rounded(perConversation.mean)}, p95 ${rounded(perConversation.p95)})`,
  ];
  if (conversations.apps.length > 0) {
    lines.push(
      '',
      ...table(
        ['App', 'Conversations', 'Messages', 'Likes', 'Dislikes', 'Failed', 'p95', 'Tokens'],
        ['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:'],
        conversations.apps.map((app) => [
          app.appId,
          app.conversations,
          app.messages,
          app.likes,
          app.dislikes,
          app.failed,
          format.seconds(app.latency.p95),
          app.tokens,
        ]),
      ),
    );
  }
  if (conversations.perDay.length > 1 && conversations.perDay.length <= 31) {
    lines.push(
      '',
      ...table(
        ['Day', 'Conversations', 'Messages', 'Likes', 'Dislikes', 'Failed'],
        ['---', '---:', '---:', '---:', '---:', '---:'],
        conversations.perDay.map((day) => [
          day.start,
          day.conversations,
          day.messages,
          day.likes,
          day.dislikes,
          day.failed,
        ]),
      ),
    );
  }
  if (conversations.topQuestions.length > 0) {
    lines.push('', '### Questions that failed, went unanswered or were disliked', '');
    lines.push(
      ...table(
        ['Count', 'Failed', 'Unanswered', 'Disliked', 'Question', 'Error'],
        ['---:', '---:', '---:', '---:', '---', '---'],
        conversations.topQuestions
          .slice(0, 10)
          .map((group) => [
            group.count,
            group.failed,
            group.unanswered,
            group.disliked,
            short(group.question),
            group.error ? short(group.error) : '',
          ]),
      ),
    );
  }
  if (conversations.endUsers?.length) {
    lines.push('', '### Conversations per end user', '');
    lines.push(
      ...table(
        ['End user', 'Conversations', 'Messages', 'Dislikes', 'Failed'],
        ['---', '---:', '---:', '---:', '---:'],
        conversations.endUsers
          .slice(0, 10)
          .map((user) => [user.endUserId, user.conversations, user.messages, user.dislikes, user.failed]),
      ),
    );
  }
  if (conversations.transcripts?.length) {
    lines.push('', `### Conversations that failed or were disliked (the first ${conversations.transcripts.length})`);
    for (const transcript of conversations.transcripts) {
      const flags = [transcript.failed ? 'failed' : '', transcript.disliked ? 'disliked' : ''].filter(Boolean);
      lines.push(
        '',
        `**${flags.join(' and ')}**: ${transcript.name ? `${cell(transcript.name)}, ` : ''}` +
          `conversation ${cell(transcript.conversationId)} (app ${cell(transcript.appId)})`,
        '',
      );
      for (const message of transcript.messages) {
        const notes = [
          message.feedback ? `rated ${message.feedback}` : '',
          message.error ? `error: ${short(message.error)}` : '',
        ]
          .filter(Boolean)
          .join(', ');
        lines.push(`> **Q** ${cell(short(message.query ?? '', 300))}  `);
        lines.push(`> **A** ${cell(short(message.answer ?? '(no answer)', 300))}${notes ? ` (${cell(notes)})` : ''}`);
        lines.push('>');
      }
      lines.pop();
    }
  }
  return lines;
}
