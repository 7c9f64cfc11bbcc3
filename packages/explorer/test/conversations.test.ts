import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationRecord } from '@dify-logs/core';
import { createExplorer, type ConversationPage, type Explorer, type Transcript } from '../src/index.js';
import { archive, archiveDataset, fixtureChat, fixtureRuns, HOSTILE_MESSAGE, localArchive } from './support.js';

const chat = fixtureChat();
const days = { from: '2026-03-07', to: '2026-03-10' };
let explorer: Explorer;
let removeArchive: () => Promise<void>;
let storage: Awaited<ReturnType<typeof localArchive>>['storage'];

beforeAll(async () => {
  const local = await localArchive();
  removeArchive = local.remove;
  storage = local.storage;
  await archive(local.storage, fixtureRuns(), days);
  // An older version of c-1 first: the newer one (archived later) wins.
  const stale = { ...chat.conversations[1]!, name: 'stale name', updatedAt: '2026-03-08T01:00:00.000Z' };
  await archiveDataset(local.storage, 'conversations', [stale], days);
  const fresh = chat.conversations.map((item) =>
    item.conversationId === 'c-1' ? { ...item, updatedAt: '2026-03-09T00:00:00.000Z' } : item,
  );
  chat.conversations.splice(0, chat.conversations.length, ...fresh);
  await archiveDataset(local.storage, 'conversations', chat.conversations, days);
  await archiveDataset(local.storage, 'messages', chat.messages, days);
  explorer = await createExplorer({ storage: local.storage, port: 0, privacy: { enabled: false } });
});
afterAll(async () => {
  await explorer?.close();
  await removeArchive?.();
});

const get = async <T>(path: string) => {
  const response = await fetch(`${explorer.url}${path}`);
  return { status: response.status, body: (await response.json()) as T };
};
const newestFirst = (records: ConversationRecord[]) =>
  [...records].sort(
    (a, b) =>
      b.createdAt.localeCompare(a.createdAt) ||
      b.appId.localeCompare(a.appId) ||
      b.conversationId.localeCompare(a.conversationId),
  );
const ids = (page: ConversationPage) => page.conversations.map((item) => item.conversationId);

describe('GET /api/conversations', () => {
  it('lists conversations newest first, each once in its newest version', async () => {
    const { status, body } = await get<ConversationPage>('/api/conversations?limit=500');
    expect(status).toBe(200);
    expect(ids(body)).toEqual(newestFirst(chat.conversations).map((item) => item.conversationId));
    expect(body.conversations.find((item) => item.conversationId === 'c-1')).toEqual(chat.conversations[1]);
    expect(body.nextCursor).toBeNull();
  });

  it('filters by app, end user, creation time, feedback and words of the name or messages', async () => {
    const check = async (query: string, expected: string[]) => {
      const { status, body } = await get<ConversationPage>(`/api/conversations?limit=500&${query}`);
      expect(status, query).toBe(200);
      expect(ids(body).sort(), query).toEqual(expected.sort());
    };
    await check('app=chat-b', ['c-1', 'c-3', 'c-5', 'c-7']);
    await check('endUser=session-1', ['c-1', 'c-4', 'c-7']);
    await check('endUser=end-user-2', ['c-2', 'c-5']);
    await check('from=2026-03-08', ['c-1', 'c-3', 'c-5', 'c-7']);
    await check('to=2026-03-07&app=chat-a', ['c-0', 'c-2', 'c-4', 'c-6']);
    await check('feedback=like', ['c-0', 'c-3', 'c-6']);
    await check('feedback=dislike', ['c-1', 'c-5']);
    await check(`q=${encodeURIComponent('退款')}`, ['c-0']);
    await check('q=HAYSTACK%20answer', ['c-5']);
    await check('q=curated', ['c-2']);
    await check('q=no%20such%20words', []);
  });

  it('pages with a keyset cursor: every conversation once, in order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const { body } = await get<ConversationPage>(`/api/conversations?limit=3${suffix}`);
      seen.push(...ids(body));
      cursor = body.nextCursor;
    } while (cursor && seen.length < 100);
    expect(seen).toEqual(newestFirst(chat.conversations).map((item) => item.conversationId));
  });

  it('answers 400 naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      ['/api/conversations?feedback=love', 'feedback'],
      ['/api/conversations?limit=0', 'limit'],
      ['/api/conversations?from=yesterday', 'from'],
      ['/api/conversations?cursor=bm9wZQ', 'cursor'],
      ['/api/conversations?status=failed', 'status'],
      ['/api/conversations/c-0?x=1', 'x'],
    ];
    for (const [path, parameter] of cases) {
      const { status, body } = await get<{ error: string; parameter: string }>(path);
      expect(status, path).toBe(400);
      expect(body, path).toMatchObject({ error: 'bad_parameter', parameter });
    }
  });
});

describe('GET /api/conversations/:id', () => {
  it('answers the conversation with its messages in order (across days), as archived', async () => {
    const { status, body } = await get<Transcript>('/api/conversations/c-0');
    expect(status).toBe(200);
    const { messages, ...conversation } = body;
    expect(conversation).toEqual(chat.conversations[0]);
    expect(messages).toEqual(chat.messages.filter((message) => message.conversationId === 'c-0'));
    expect(messages[0]!.query).toBe(`${HOSTILE_MESSAGE} 请问退款多久到账？`);
  });

  it('answers 404 for an unknown conversation', async () => {
    const { status, body } = await get<{ error: string }>('/api/conversations/c-nope');
    expect(status).toBe(404);
    expect(body.error).toBe('not_found');
  });
});

describe('chat records in the index', () => {
  it('applies the privacy policy and picks up new partitions on refresh', async () => {
    await archiveDataset(
      storage,
      'messages',
      [
        {
          ...chat.messages[2]!,
          messageId: 'm-new',
          query: 'mail me at li.wei@example.com',
          createdAt: '2026-03-09T10:00:00.000Z',
        },
      ],
      { from: '2026-03-09', to: '2026-03-10' },
      'late',
    );
    const masked = await createExplorer({ storage, port: 0 });
    try {
      expect(await explorer.refresh()).toMatchObject({ loaded: 1, messages: 1, conversations: 0, runs: 0 });
      const { body } = await get<Transcript>('/api/conversations/c-1');
      expect(body.messages.map((message) => message.messageId)).toEqual(['m-1-0', 'm-1-1', 'm-new']);
      const response = await fetch(`${masked.url}/api/conversations/c-1`);
      const shown = ((await response.json()) as Transcript).messages.find((message) => message.messageId === 'm-new');
      expect(shown?.query).not.toContain('li.wei@example.com');
    } finally {
      await masked.close();
    }
  });
});
