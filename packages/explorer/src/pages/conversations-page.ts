import type { ConversationRecord, MessageRecord } from '@dify-logs/core';
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  CONVERSATION_PARAMETERS,
  listConversations,
  readConversationFilter,
  type Transcript,
} from '../query/conversations.js';
import { Parameters } from '../query/params.js';
import { html, number, page, seconds, SORT_SCRIPT } from './html.js';

const time = (iso: string | null) => (iso ? iso.slice(0, 19).replace('T', ' ') : '–');
const rating = (value: string | null) =>
  value === 'like' ? html`<span class="status-succeeded">liked</span>` : html`<span class="bad">disliked</span>`;

function row(conversation: ConversationRecord) {
  return html`<tr>
    <td data-value="${conversation.createdAt}">
      <a href="/conversations/${encodeURIComponent(conversation.conversationId)}">${time(conversation.createdAt)}</a>
    </td>
    <td>${conversation.appId}</td>
    <td>${conversation.name ?? ''}</td>
    <td>${conversation.endUserSessionId ?? conversation.endUserId ?? ''}</td>
    <td class="num" data-value="${conversation.messageCount ?? ''}">${number(conversation.messageCount)}</td>
    <td class="num" data-value="${conversation.likes}">${number(conversation.likes)}</td>
    <td class="num" data-value="${conversation.dislikes}">${number(conversation.dislikes)}</td>
    <td>${conversation.annotated ? 'yes' : ''}</td>
    <td data-value="${conversation.updatedAt ?? ''}">${time(conversation.updatedAt)}</td>
  </tr>`;
}

/** `/conversations`: chat apps' conversations with the API's filters in the query string, newest first, paged. */
export async function conversationsPage(reader: DuckDBConnection, url: URL): Promise<string> {
  const parameters = new Parameters(url.searchParams, CONVERSATION_PARAMETERS);
  const filter = readConversationFilter(parameters);
  const limit = parameters.number('limit', 1, 500, true) ?? 50;
  const cursor = parameters.text('cursor', 2000);
  const result = await listConversations(reader, filter, { limit, ...(cursor ? { cursor } : {}) });
  const value = (name: string) => url.searchParams.get(name) ?? '';
  const field = (name: string, label: string, size = 12) =>
    html`<label>${label}<input name="${name}" value="${value(name)}" size="${size}" /></label>`;
  const option = (choice: string, label: string) =>
    html`<option value="${choice}" ${value('feedback') === choice ? html`selected` : ''}>${label}</option>`;
  const next = new URLSearchParams(url.searchParams);
  if (result.nextCursor) next.set('cursor', result.nextCursor);
  const body = html`<h1>Conversations</h1>
    <form class="filters" method="get" action="/conversations">
      ${field('q', 'Search questions, answers', 28)}${field('app', 'App')}${field('endUser', 'End user')}
      ${field('from', 'From (day or time)')}${field('to', 'To')}
      <label
        >Feedback<select name="feedback">
          ${option('', 'any')}${option('like', 'like')}${option('dislike', 'dislike')}
        </select></label
      >
      <button type="submit">Filter</button> <a href="/conversations">Clear</a>
    </form>
    <table class="sortable" id="conversations">
      <thead>
        <tr>
          <th data-sort>Started (UTC)</th>
          <th data-sort>App</th>
          <th data-sort>Name</th>
          <th data-sort>End user</th>
          <th class="num" data-sort>Messages</th>
          <th class="num" data-sort>Likes</th>
          <th class="num" data-sort>Dislikes</th>
          <th data-sort>Annotated</th>
          <th data-sort>Updated (UTC)</th>
        </tr>
      </thead>
      <tbody>
        ${result.conversations.map(row)}
      </tbody>
    </table>
    ${result.conversations.length === 0 ? html`<p class="muted">No conversation matches.</p>` : ''}
    <p>
      ${cursor ? html`<a href="javascript:history.back()">← Newer</a> ` : ''}${
        result.nextCursor ? html`<a id="older" href="/conversations?${next.toString()}">Older →</a>` : ''
      }
    </p>`;
  return page('Conversations', '/conversations', body, SORT_SCRIPT);
}

function turn(message: MessageRecord) {
  const run = message.workflowRunId;
  return html`<section class="turn" data-message="${message.messageId}">
    <div class="muted">
      ${time(message.createdAt)} · ${number(message.totalTokens)} tokens (${number(message.messageTokens)} +
      ${number(message.answerTokens)}) · ${seconds(message.latency)}
      ${message.modelName ? html` · ${message.modelName}` : ''}
      ${run ? html` · <a class="run" href="/runs/${encodeURIComponent(run)}">run ${run.slice(0, 12)}</a>` : ''}
    </div>
    <div class="question">
      <b>Q</b>
      <pre>${message.query ?? ''}</pre>
    </div>
    <div class="answer">
      <b>A</b>
      <pre>${message.answer ?? ''}</pre>
    </div>
    ${message.error ? html`<div class="bad error">${message.error}</div>` : ''}
    <div class="feedback">
      ${message.feedback ? html`<span class="user-feedback">end user: ${rating(message.feedback)}</span> ` : ''}
      ${
        message.adminFeedback ? html`<span class="admin-feedback">console: ${rating(message.adminFeedback)}</span>` : ''
      }
    </div>
    ${
      message.annotation !== undefined
        ? html`<div class="annotation">
            <span class="muted">annotation</span>
            <pre>${message.annotation}</pre>
          </div>`
        : message.annotated
          ? html`<div class="annotation muted">annotated</div>`
          : ''
    }
  </section>`;
}

/** `/conversations/:id`: the transcript, each message's question, answer, feedback, annotation and tokens. */
export function transcriptPage(conversation: Transcript): string {
  const user = conversation.endUserSessionId ?? conversation.endUserId;
  const body = html`<h1>Conversation ${conversation.name ?? conversation.conversationId}</h1>
    <p class="muted">
      ${conversation.appId} · ${conversation.conversationId} · started ${time(conversation.createdAt)} UTC · updated
      ${time(conversation.updatedAt)} · ${user ? html`end user ${user} · ` : ''}${number(conversation.likes)} likes,
      ${number(conversation.dislikes)} dislikes${conversation.annotated ? ' · annotated' : ''}
    </p>
    <div id="transcript">${conversation.messages.map(turn)}</div>
    ${conversation.messages.length === 0 ? html`<p class="muted">No archived message.</p>` : ''}`;
  return page(`Conversation ${conversation.name ?? conversation.conversationId}`, '/conversations', body);
}
