import { createPrivacyPolicy, type MessageRecord } from '@dify-logs/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportDataset, normaliseQuestion, type DatasetOptions } from '../src/index.js';

let counter = 0;
function message(overrides: Partial<MessageRecord> = {}): MessageRecord {
  counter += 1;
  return {
    appId: 'app-chat',
    conversationId: 'c-1',
    messageId: `m-${String(counter).padStart(5, '0')}`,
    createdAt: `2026-03-09T10:${String(counter % 60).padStart(2, '0')}:00.000Z`,
    query: `question ${counter}`,
    answer: `answer ${counter}`,
    messageTokens: 10,
    answerTokens: 20,
    totalTokens: 30,
    latency: 1.5,
    feedback: null,
    adminFeedback: null,
    annotated: false,
    status: 'normal',
    error: null,
    fromSource: 'api',
    endUserId: 'eu-1',
    accountId: null,
    workflowRunId: null,
    ...overrides,
  };
}

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

async function run(messages: MessageRecord[], options: DatasetOptions) {
  const out = { all: '', train: '', eval: '' };
  const result = await exportDataset(from(messages), options, (set, text) => void (out[set] += text));
  const lines = (text: string) =>
    (options.format === 'csv' ? '' : text)
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { result, out, lines: lines(out.all), train: lines(out.train), eval: lines(out.eval) };
}

/** Two conversations whose messages arrive interleaved and out of time order, as the archive's days give them. */
function twoConversations(): MessageRecord[] {
  const a = [1, 2, 3].map((turn) =>
    message({
      conversationId: 'c-a',
      createdAt: `2026-03-0${turn}T08:00:00.000Z`,
      query: `a${turn}?`,
      answer: `a${turn}!`,
    }),
  );
  const b = [1, 2].map((turn) =>
    message({
      conversationId: 'c-b',
      createdAt: `2026-03-0${turn}T09:00:00.000Z`,
      query: `b${turn}?`,
      answer: `b${turn}!`,
      feedback: turn === 2 ? 'dislike' : null,
    }),
  );
  return [a[2]!, b[1]!, a[0]!, b[0]!, a[1]!];
}

describe('dataset export: published shapes', () => {
  it(
    'openai-chat: one fine-tuning line per conversation, ' + 'turns in order, a disliked answer with weight 0',
    async () => {
      const { lines, result } = await run(twoConversations(), { format: 'openai-chat', system: 'You are helpful.' });
      expect(result).toMatchObject({ conversations: 2, messages: 5, items: { all: 2 } });
      const byFirst = new Map(lines.map((line) => [(line.messages as Array<{ content: string }>)[1]!.content, line]));
      expect(byFirst.get('a1?')).toEqual({
        messages: [
          { role: 'system', content: 'You are helpful.' },
          { role: 'user', content: 'a1?' },
          { role: 'assistant', content: 'a1!' },
          { role: 'user', content: 'a2?' },
          { role: 'assistant', content: 'a2!' },
          { role: 'user', content: 'a3?' },
          { role: 'assistant', content: 'a3!' },
        ],
      });
      expect((byFirst.get('b1?')!.messages as unknown[]).at(-1)).toEqual({
        role: 'assistant',
        content: 'b2!',
        weight: 0,
      });
      // The shape OpenAI's fine-tuning API validates: roles alternate after the system message, content is text,
      // weight only on assistant turns and only 0 or 1.
      for (const line of lines) {
        expect(Object.keys(line)).toEqual(['messages']);
        const turns = (line.messages as Array<Record<string, unknown>>).filter((turn) => turn.role !== 'system');
        turns.forEach((turn, index) => {
          expect(turn.role).toBe(index % 2 === 0 ? 'user' : 'assistant');
          expect(typeof turn.content).toBe('string');
          if ('weight' in turn)
            expect([turn.role, [0, 1].includes(turn.weight as number)]).toEqual(['assistant', true]);
        });
      }
    },
  );

  it('sharegpt: one conversation per line, human and gpt alternating, the id of the conversation', async () => {
    const { lines } = await run(twoConversations(), { format: 'sharegpt' });
    expect(lines.map((line) => line.id).sort()).toEqual(['c-a', 'c-b']);
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual(['conversations', 'id']);
      const turns = line.conversations as Array<{ from: string; value: string }>;
      turns.forEach((turn, index) => {
        expect(turn.from).toBe(index % 2 === 0 ? 'human' : 'gpt');
        expect(typeof turn.value).toBe('string');
      });
    }
  });

  it(
    'jsonl: one message per line with every field; csv: ' + 'a BOM, a header, RFC 4180 and neutralised formulas',
    async () => {
      const messages = [message({ query: '=HYPERLINK("http://x")', answer: 'line one\nline "two", three' })];
      const { lines } = await run(messages, { format: 'jsonl' });
      expect(lines).toEqual([
        {
          appId: 'app-chat',
          conversationId: 'c-1',
          messageId: messages[0]!.messageId,
          createdAt: messages[0]!.createdAt,
          question: '=HYPERLINK("http://x")',
          answer: 'line one\nline "two", three',
          feedback: null,
          adminFeedback: null,
          annotated: false,
          annotation: null,
          messageTokens: 10,
          answerTokens: 20,
          totalTokens: 30,
          modelProvider: null,
          modelName: null,
          workflowRunId: null,
        },
      ]);
      const { out } = await run(messages, { format: 'csv' });
      expect(out.all).toBe(
        '\uFEFFappId,conversationId,messageId,createdAt,turn,question,answer,feedback,adminFeedback,annotated,' +
          'annotation,messageTokens,answerTokens,totalTokens,modelProvider,modelName\r\n' +
          `app-chat,c-1,${messages[0]!.messageId},${messages[0]!.createdAt},1,"'=HYPERLINK(""http://x"")",` +
          '"line one\nline ""two"", three",,,false,,10,20,30,,\r\n',
      );
    },
  );

  it('jsonl and csv carry the app, model and tokens; openai-chat and sharegpt keep only their keys', async () => {
    const model = { modelProvider: 'langgenius/openai/openai', modelName: 'gpt-4o-mini' };
    const messages = twoConversations().map((each) => ({ ...each, ...model }));
    const jsonl = await run(messages, { format: 'jsonl' });
    for (const line of jsonl.lines)
      expect(line).toMatchObject({ appId: 'app-chat', ...model, messageTokens: 10, answerTokens: 20, totalTokens: 30 });
    const csv = (await run(messages, { format: 'csv' })).out.all.split('\r\n');
    expect(csv[0]!.endsWith(',totalTokens,modelProvider,modelName')).toBe(true);
    expect(csv[1]!.startsWith('app-chat,')).toBe(true);
    expect(csv[1]!.endsWith(',10,20,30,langgenius/openai/openai,gpt-4o-mini')).toBe(true);
    for (const line of (await run(messages, { format: 'openai-chat' })).lines) {
      expect(Object.keys(line)).toEqual(['messages']);
      for (const turn of line.messages as Array<Record<string, unknown>>)
        expect(Object.keys(turn).filter((key) => !['role', 'content', 'weight'].includes(key))).toEqual([]);
    }
    for (const line of (await run(messages, { format: 'sharegpt' })).lines)
      expect(Object.keys(line).sort()).toEqual(['conversations', 'id']);
  });
});

describe('dataset export: annotations', () => {
  it("trains on an editor's annotation where there is one, and keeps both texts in jsonl", async () => {
    const annotated = message({ annotated: true, annotation: 'The curated answer.' });
    const { lines } = await run([annotated], { format: 'openai-chat', unit: 'message' });
    expect(lines[0]!.messages).toEqual([
      { role: 'user', content: annotated.query },
      { role: 'assistant', content: 'The curated answer.' },
    ]);
    const sharegpt = await run([annotated], { format: 'sharegpt' });
    expect((sharegpt.lines[0]!.conversations as Array<{ value: string }>)[1]!.value).toBe('The curated answer.');
    const jsonl = await run([annotated], { format: 'jsonl' });
    expect(jsonl.lines[0]).toMatchObject({ answer: annotated.answer, annotation: 'The curated answer.' });
  });
});

describe('dataset export: filters, duplicates, split, privacy', () => {
  it('keeps the rated, the annotated and the long conversations asked for', async () => {
    const messages = [
      message({ conversationId: 'x', feedback: 'like' }),
      message({ conversationId: 'x', adminFeedback: 'dislike' }),
      message({ conversationId: 'x', annotated: true }),
      message({ conversationId: 'y' }),
      message({ conversationId: 'z', answer: null }),
    ];
    const ids = async (options: Omit<DatasetOptions, 'format'>) =>
      (await run(messages, { format: 'jsonl', ...options })).lines.map((line) => line.messageId);
    const [liked, disliked, annotated] = messages;
    expect(await ids({ feedback: 'like' })).toEqual([liked!.messageId]);
    expect(await ids({ feedback: 'dislike' })).toEqual([disliked!.messageId]);
    expect(await ids({ feedback: 'any' })).toEqual([liked!.messageId, disliked!.messageId]);
    expect(await ids({ annotated: true })).toEqual([annotated!.messageId]);
    expect((await ids({ minTurns: 3 })).length).toBe(3);
    // A message without an answer is never an item.
    expect(await ids({})).not.toContain(messages[4]!.messageId);
    const conversations = await run(messages, { format: 'sharegpt', feedback: 'like' });
    expect(conversations.lines.map((line) => line.id)).toEqual(['x']);
  });

  it('drops a question asked again in other words of case and spacing, and counts it', async () => {
    const messages = [
      message({ conversationId: 'p', query: 'Where is my  order?' }),
      message({ conversationId: 'q', query: ' where is MY order? ' }),
      message({ conversationId: 'r', query: 'Ｗhere is my order?' }),
      message({ conversationId: 's', query: 'Where is my refund?' }),
    ];
    const { lines, result } = await run(messages, { format: 'jsonl' });
    expect(lines.map((line) => line.question)).toEqual(['Where is my  order?', 'Where is my refund?']);
    expect(result.duplicates).toBe(2);
    expect(normaliseQuestion('Ｗhere\tIS  my order?')).toBe('where is my order?');
  });

  it('splits by a seeded hash of each item: the same sets in any order, about the share asked', async () => {
    const messages = Array.from({ length: 1000 }, (_, index) => message({ conversationId: `c-${index}` }));
    const first = await run(messages, { format: 'jsonl', split: 0.9, seed: 7 });
    expect(first.result.items.train + first.result.items.eval).toBe(1000);
    expect(first.result.items.train).toBeGreaterThan(860);
    expect(first.result.items.train).toBeLessThan(940);
    const shuffled = await run([...messages].reverse(), { format: 'jsonl', split: 0.9, seed: 7 });
    const ids = (lines: Array<Record<string, unknown>>) => lines.map((line) => line.messageId).sort();
    expect(ids(shuffled.eval)).toEqual(ids(first.eval));
    const reseeded = await run(messages, { format: 'jsonl', split: 0.9, seed: 8 });
    expect(ids(reseeded.eval)).not.toEqual(ids(first.eval));
  });

  it('applies the privacy policy before anything is written or compared', async () => {
    const policy = createPrivacyPolicy();
    const { out } = await run([message({ query: 'my phone is 13912345678', answer: 'mail li.lei@example-corp.cn' })], {
      format: 'openai-chat',
      redact: (each) => policy.message(each),
    });
    expect(out.all).not.toContain('13912345678');
    expect(out.all).not.toContain('li.lei@example-corp.cn');
    expect(out.all).toContain('139****5678');
  });

  it('groups any arrival order into the same conversations (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1000 })), {
          minLength: 1,
          maxLength: 40,
        }),
        async (pairs) => {
          const messages = pairs.map(([conversation, minute], index) =>
            message({
              conversationId: `c-${conversation}`,
              messageId: `m-${index}`,
              query: `q${index}`,
              createdAt: new Date(Date.UTC(2026, 2, 1) + minute * 60_000).toISOString(),
            }),
          );
          const { lines } = await run(messages, { format: 'jsonl', unit: 'conversation' });
          const conversations = new Set(pairs.map(([conversation]) => conversation));
          expect(lines).toHaveLength(conversations.size);
          for (const line of lines) {
            const turns = line.messages as Array<{ createdAt: string }> | undefined;
            const times = turns ? turns.map((turn) => turn.createdAt) : [line.createdAt as string];
            expect(times).toEqual([...times].sort());
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
