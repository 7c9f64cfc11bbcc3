import type {
  ConversationAnalysis,
  ConversationAppAnalysis,
  ConversationDay,
  ConversationEndUser,
  QuestionGroup,
  ReportAnalysis,
} from '@dify-logs/core/pipeline';
import { escapeHtml } from './escape.js';
import { formatInteger, formatPercent, formatSeconds, formatTime } from './format.js';
import { renderTable, trusted } from './table.js';
import { renderTranscripts, transcriptAnchor } from './transcripts.js';

function fact(label: string, value: string, detail: string): string {
  return (
    `<div class="fact"><div class="label">${escapeHtml(label)}</div><div class="value">` +
    `${escapeHtml(value)}</div><div class="detail">${escapeHtml(detail)}</div></div>`
  );
}

const whole = (value: number | null) => (value === null ? 'n/a' : formatInteger(Math.round(value)));

/** The chat apps' section: key facts, apps, days and the questions that went wrong; every value escaped. */
export function renderConversations(
  analysis: ReportAnalysis,
  conversations: ConversationAnalysis,
  maxRows: number,
): string {
  const { feedback, latency, tokensPerConversation } = conversations;
  // Reports written before transcripts existed (an old JSON report as the previous period) have none.
  const transcribed = new Set((conversations.transcripts ?? []).map((transcript) => transcript.conversationId));
  const zone = analysis.window.timezone;
  const facts = [
    fact(
      'Conversations',
      formatInteger(conversations.conversations),
      `${formatInteger(conversations.messages)} messages`,
    ),
    fact(
      'Satisfaction',
      formatPercent(feedback.satisfaction),
      `${formatInteger(feedback.likes)} likes · ${formatInteger(feedback.dislikes)} dislikes`,
    ),
    fact(
      'p95 response time',
      formatSeconds(latency.p95),
      `p50 ${formatSeconds(latency.p50)} · p99 ${formatSeconds(latency.p99)}`,
    ),
    fact(
      'Failed messages',
      formatInteger(conversations.failed),
      `${formatInteger(conversations.unanswered)} unanswered`,
    ),
    fact(
      'Tokens per conversation',
      whole(tokensPerConversation.mean),
      `p95 ${whole(tokensPerConversation.p95)} · ${formatInteger(conversations.tokens)} in all`,
    ),
  ];
  const apps = renderTable<ConversationAppAnalysis>({
    id: 'table-conversation-apps',
    title: 'Chat apps',
    rows: conversations.apps,
    maxRows,
    empty: 'No chat app had conversations in this period.',
    columns: [
      { header: 'App', cell: (app) => app.appId, className: 'mono' },
      { header: 'Conversations', numeric: true, cell: (app) => app.conversations },
      { header: 'Messages', numeric: true, cell: (app) => app.messages },
      { header: 'Likes', numeric: true, cell: (app) => app.likes },
      { header: 'Dislikes', numeric: true, cell: (app) => app.dislikes },
      { header: 'Failed', numeric: true, cell: (app) => app.failed },
      { header: 'Unanswered', numeric: true, cell: (app) => app.unanswered },
      {
        header: 'p95 response',
        numeric: true,
        cell: (app) => formatSeconds(app.latency.p95),
        sort: (app) => app.latency.p95,
      },
      { header: 'Tokens', numeric: true, cell: (app) => app.tokens },
    ],
  });
  const days = renderTable<ConversationDay>({
    id: 'table-conversation-days',
    title: 'Conversations per day',
    rows: conversations.perDay,
    maxRows,
    empty: 'No messages in this period.',
    columns: [
      { header: 'Day', cell: (day) => formatTime(day.start, zone), sort: (day) => day.start },
      { header: 'Conversations', numeric: true, cell: (day) => day.conversations },
      { header: 'Messages', numeric: true, cell: (day) => day.messages },
      { header: 'Likes', numeric: true, cell: (day) => day.likes },
      { header: 'Dislikes', numeric: true, cell: (day) => day.dislikes },
      { header: 'Failed', numeric: true, cell: (day) => day.failed },
    ],
  });
  const questions = renderTable<QuestionGroup>({
    id: 'table-questions',
    title: 'Questions that failed, went unanswered or were disliked',
    rows: conversations.topQuestions,
    maxRows,
    empty: 'Every question got an answer nobody disliked.',
    columns: [
      { header: 'Question', cell: (group) => group.question, className: 'wrap' },
      { header: 'Count', numeric: true, cell: (group) => group.count },
      { header: 'Failed', numeric: true, cell: (group) => group.failed },
      { header: 'Unanswered', numeric: true, cell: (group) => group.unanswered },
      { header: 'Disliked', numeric: true, cell: (group) => group.disliked },
      { header: 'Last error', cell: (group) => group.error ?? '', className: 'wrap' },
      { header: 'Last seen', cell: (group) => formatTime(group.lastSeen, zone), sort: (group) => group.lastSeen },
      {
        header: 'Transcript',
        cell: (group) => {
          const shown = group.samples.find((sample) => transcribed.has(sample.conversationId));
          return shown ? trusted(`<a href="#${escapeHtml(transcriptAnchor(shown.conversationId))}">read</a>`) : '';
        },
      },
    ],
  });
  const endUsers = renderTable<ConversationEndUser>({
    id: 'table-end-users',
    title: 'Conversations per end user',
    rows: conversations.endUsers ?? [],
    maxRows,
    empty: 'No message named its end user.',
    columns: [
      { header: 'End user', cell: (user) => user.endUserId, className: 'mono' },
      { header: 'Conversations', numeric: true, cell: (user) => user.conversations },
      { header: 'Messages', numeric: true, cell: (user) => user.messages },
      { header: 'Dislikes', numeric: true, cell: (user) => user.dislikes },
      { header: 'Failed', numeric: true, cell: (user) => user.failed },
    ],
  });
  return `<section id="conversations"><h2>Conversations</h2>
<div class="facts">${facts.join('\n')}</div>
${apps}
${days}
${questions}
${endUsers}
${renderTranscripts(conversations.transcripts ?? [], zone)}
</section>`;
}
