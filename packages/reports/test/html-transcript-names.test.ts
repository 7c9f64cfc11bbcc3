import type { ConversationTranscript } from '@dify-logs/core/pipeline';
import { describe, expect, it } from 'vitest';
import { renderTranscripts } from '../src/html/transcripts.js';
import { HOSTILE_HTML } from './fixtures/analysis.js';

const transcript: ConversationTranscript = {
  appId: 'app-chat',
  conversationId: 'c-1',
  endUserId: null,
  failed: false,
  disliked: true,
  messages: [
    {
      messageId: 'm-1',
      createdAt: '2026-03-09T10:00:00.000Z',
      query: 'q',
      answer: 'a',
      feedback: 'dislike',
      error: null,
    },
  ],
};

describe('HTML transcripts', () => {
  it("head a transcript with its conversation's name, escaped, when the archive gave one", () => {
    const html = renderTranscripts([{ ...transcript, name: `Refund ${HOSTILE_HTML}` }], 'UTC');
    expect(html).toContain('<h4>disliked: Refund &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('(conversation <span class="mono">c-1</span>)</h4>');
    expect(html).not.toContain('<script>alert(1)');
  });

  it('name the conversation by its id alone without a name', () => {
    const html = renderTranscripts([transcript], 'UTC');
    expect(html).toContain('<h4>disliked: conversation <span class="mono">c-1</span></h4>');
  });
});
