import { describe, expect, it } from 'vitest';
import { createConversationAnalyzer, type MessageFacts } from '../src/adapter-kit.js';
import { renderMarkdown } from '../src/internal.js';
import { createAnalyzer } from '../src/analysis/analyzer.js';

function message(overrides: Partial<MessageFacts> = {}): MessageFacts {
  return {
    appId: 'chat-1',
    conversationId: 'c-1',
    messageId: 'm-1',
    createdAt: '2026-03-09T10:00:00.000Z',
    query: 'How do I reset my password?',
    answer: 'Use the link.',
    totalTokens: 100,
    latency: 1.5,
    feedback: null,
    status: 'normal',
    error: null,
    ...overrides,
  };
}

describe('the conversation analysis', () => {
  it('counts conversations, messages, feedback, failures and unanswered questions per app', () => {
    const analyzer = createConversationAnalyzer({ timezone: 'UTC' });
    analyzer.add(message({ messageId: 'm-1', feedback: 'like' }));
    analyzer.add(message({ messageId: 'm-2', feedback: 'dislike', answer: '' }));
    analyzer.add(
      message({
        messageId: 'm-3',
        conversationId: 'c-2',
        status: 'error',
        error: 'Model timed out after 60 s',
        answer: null,
        latency: null,
      }),
    );
    analyzer.add(
      message({ messageId: 'm-4', appId: 'chat-2', conversationId: 'c-1', feedback: 'like', totalTokens: 50 }),
    );
    analyzer.touch('chat-3');
    const result = analyzer.result();
    expect(result.conversations).toBe(3); // c-1 and c-2 of chat-1, c-1 of chat-2 (ids are per app)
    expect(result.messages).toBe(4);
    expect(result.feedback).toEqual({ likes: 2, dislikes: 1, satisfaction: 2 / 3 });
    expect(result.failed).toBe(1);
    expect(result.unanswered).toBe(1);
    expect(result.tokens).toBe(350);
    expect(result.latency.count).toBe(3);
    expect(result.tokensPerConversation).toMatchObject({ count: 3, max: expect.closeTo(200, 0) });
    expect(result.apps.map((app) => [app.appId, app.conversations, app.messages])).toEqual([
      ['chat-1', 2, 3],
      ['chat-2', 1, 1],
      ['chat-3', 0, 0],
    ]);
    // The same question, disliked/unanswered once and failed once, is one group of 2.
    expect(result.topQuestions).toHaveLength(1);
    expect(result.topQuestions[0]).toMatchObject({
      count: 2,
      failed: 1,
      unanswered: 1,
      disliked: 1,
      error: 'Model timed out after 60 s',
    });
    expect(result.topQuestions[0]!.samples.map((sample) => sample.messageId)).toEqual(['m-2', 'm-3']);
  });

  it('buckets days at local midnight across a DST change, counting a conversation once per day', () => {
    const analyzer = createConversationAnalyzer({ timezone: 'America/New_York' });
    // 2026-03-08 is the spring-forward day in New York (UTC-5 before, UTC-4 after).
    analyzer.add(message({ messageId: 'a', createdAt: '2026-03-08T04:59:00.000Z' })); // 23:59 on the 7th (EST)
    analyzer.add(message({ messageId: 'b', createdAt: '2026-03-08T05:00:00.000Z' })); // 00:00 on the 8th (EST)
    analyzer.add(message({ messageId: 'c', createdAt: '2026-03-09T03:59:00.000Z' })); // 23:59 on the 8th (EDT)
    analyzer.add(message({ messageId: 'd', createdAt: '2026-03-09T04:00:00.000Z' })); // 00:00 on the 9th (EDT)
    const days = analyzer.result().perDay;
    expect(days.map((day) => [day.start, day.messages, day.conversations])).toEqual([
      ['2026-03-07T05:00:00.000Z', 1, 1],
      ['2026-03-08T05:00:00.000Z', 2, 1],
      ['2026-03-09T04:00:00.000Z', 1, 1],
    ]);
  });

  it('shows in the Markdown report with table cells escaped', () => {
    const analyzer = createConversationAnalyzer({ timezone: 'UTC' });
    analyzer.add(message({ query: 'a | b\nc', status: 'error', error: 'boom | bang' }));
    const analysis = {
      ...createAnalyzer({
        job: 'daily',
        runId: 'r',
        window: { from: '2026-03-09T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z', timezone: 'UTC' },
      }).result(),
      conversations: analyzer.result(),
    };
    const markdown = renderMarkdown(analysis);
    expect(markdown).toContain('## Conversations');
    expect(markdown).toContain('- Conversations: **1**, messages 1, failed 1, unanswered 0');
    expect(markdown).toContain('a \\| b c');
    expect(markdown).toContain('boom \\| bang');
    const withoutChat = renderMarkdown({ ...analysis, conversations: undefined });
    expect(withoutChat).not.toContain('## Conversations');
  });
});

describe('end users and transcripts of the conversations that went wrong', () => {
  it('counts conversations per end user and keeps every turn of a conversation that failed later on', () => {
    const analyzer = createConversationAnalyzer({ timezone: 'UTC' });
    const at = (minute: number) => `2026-03-09T10:${String(minute).padStart(2, '0')}:00.000Z`;
    analyzer.add(message({ messageId: 'a1', conversationId: 'a', endUserId: 'alice', createdAt: at(1) }));
    analyzer.add(message({ messageId: 'b1', conversationId: 'b', endUserId: 'bob', createdAt: at(2) }));
    analyzer.add(message({ messageId: 'a2', conversationId: 'a', endUserId: 'alice', createdAt: at(3) }));
    analyzer.add(
      message({ messageId: 'a3', conversationId: 'a', endUserId: 'alice', createdAt: at(4), feedback: 'dislike' }),
    );
    analyzer.add(message({ messageId: 'a4', conversationId: 'a', endUserId: 'alice', createdAt: at(5) }));
    analyzer.add(message({ messageId: 'c1', conversationId: 'c', endUserId: 'alice', createdAt: at(6) }));
    analyzer.add(message({ messageId: 'x1', conversationId: 'x', endUserId: null, createdAt: at(7) }));
    const result = analyzer.result();
    expect(result.endUsers).toEqual([
      { endUserId: 'alice', conversations: 2, messages: 5, dislikes: 1, failed: 0 },
      { endUserId: 'bob', conversations: 1, messages: 1, dislikes: 0, failed: 0 },
    ]);
    expect(result.transcripts).toHaveLength(1);
    expect(result.transcripts[0]).toMatchObject({ conversationId: 'a', endUserId: 'alice', disliked: true });
    // The turns before the dislike and the one after it, in order.
    expect(result.transcripts[0]!.messages.map((turn) => turn.messageId)).toEqual(['a1', 'a2', 'a3', 'a4']);
  });

  it('keeps at most ten transcripts of at most twenty turns, texts cut at 1,000 characters', () => {
    const analyzer = createConversationAnalyzer({ timezone: 'UTC' });
    for (let conversation = 0; conversation < 15; conversation += 1)
      for (let turn = 0; turn < 25; turn += 1)
        analyzer.add(
          message({
            messageId: `m-${conversation}-${turn}`,
            conversationId: `c-${conversation}`,
            query: 'q'.repeat(5000),
            status: turn === 0 ? 'error' : 'normal',
            error: turn === 0 ? 'boom' : null,
          }),
        );
    const { transcripts } = analyzer.result();
    expect(transcripts.map((transcript) => transcript.conversationId)).toEqual(
      Array.from({ length: 10 }, (_, index) => `c-${index}`),
    );
    expect(transcripts.every((transcript) => transcript.messages.length === 20 && transcript.failed)).toBe(true);
    expect(transcripts[0]!.messages[0]!.query).toHaveLength(1000);
  });
});
