import type { ConversationTranscript } from '@dify-logs/core/pipeline';
import { escapeHtml } from './escape.js';
import { formatTime } from './format.js';

/** The id of a conversation's transcript in the page (`#transcript-<conversation id>`). */
export const transcriptAnchor = (conversationId: string) => `transcript-${conversationId}`;

/** The transcripts of the conversations that failed or were disliked: every text escaped, kept as written. */
export function renderTranscripts(transcripts: readonly ConversationTranscript[], zone: string): string {
  if (transcripts.length === 0) return '';
  const articles = transcripts.map((transcript) => {
    const flags = [transcript.failed ? 'failed' : '', transcript.disliked ? 'disliked' : ''].filter(Boolean);
    const turns = transcript.messages.map((message) => {
      const notes = [
        message.feedback ? `rated ${message.feedback}` : '',
        message.error ? `error: ${message.error}` : '',
      ].filter(Boolean);
      return (
        `<div class="turn"><div class="when">${escapeHtml(formatTime(message.createdAt, zone))}</div>` +
        `<p class="question">${escapeHtml(message.query ?? '')}</p>` +
        `<p class="answer">${escapeHtml(message.answer ?? '(no answer)')}</p>` +
        (notes.length ? `<p class="note">${escapeHtml(notes.join(' · '))}</p>` : '') +
        '</div>'
      );
    });
    return (
      `<article class="transcript" id="${escapeHtml(transcriptAnchor(transcript.conversationId))}">` +
      `<h4>${escapeHtml(flags.join(' and '))}: ` +
      (transcript.name ? `${escapeHtml(transcript.name)} (conversation ` : 'conversation ') +
      `<span class="mono">${escapeHtml(transcript.conversationId)}</span>${transcript.name ? ')' : ''}</h4>` +
      `<p class="detail">app <span class="mono">${escapeHtml(transcript.appId)}</span>` +
      `${transcript.endUserId ? ` · end user <span class="mono">${escapeHtml(transcript.endUserId)}</span>` : ''}</p>` +
      `${turns.join('\n')}</article>`
    );
  });
  return `<h3 id="transcripts">Conversations that failed or were disliked (the first ${transcripts.length})</h3>
${articles.join('\n')}`;
}
