import * as vitest from 'vitest';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DifyLogsError } from '@dify-logs/core';
import type { Notifier } from '@dify-logs/core/adapter-kit';
import { sampleMessage, testNotifier } from '@dify-logs/core/testing';
import { createFeishuNotifier, type FeishuNotifierOptions } from '../src/index.js';

const HOOK = '2b7c9d3e-5f1a-4e8b-9c0d-1a2b3c4d5e6f';
const SECRET = 'qK7vXn2mR9tLpW4sY8zB3c';
type Answer = { status: number; body: unknown };
type Payload = Record<string, any>;
const OK = { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' };
const BAD_REQUEST = { code: 9499, msg: 'Bad Request', data: {} };

/**
 * A Feishu custom bot as documented (自定义机器人使用指南): POST JSON to /open-apis/bot/v2/hook/<token>,
 * body at most 20 KB, signature recomputed from the body's timestamp (seconds, within an hour) with
 * `timestamp\nsecret` as the HMAC-SHA256 key over an empty message, answered with Feishu's own bodies.
 */
function feishuBot(request: IncomingMessage, raw: string): Answer {
  if (request.method !== 'POST' || !request.url?.startsWith('/open-apis/bot/v2/hook/'))
    return { status: 404, body: '404 page not found' };
  if (request.url !== `/open-apis/bot/v2/hook/${HOOK}`)
    return {
      status: 200,
      body: { code: 19001, data: {}, msg: 'param invalid: incoming webhook access token invalid' },
    };
  if (!/^application\/json/.test(request.headers['content-type'] ?? '') || Buffer.byteLength(raw) > 20_000)
    return { status: 400, body: BAD_REQUEST };
  const payload = JSON.parse(raw) as Payload;
  const timestamp = payload.timestamp;
  const fresh =
    typeof timestamp === 'string' &&
    /^\d{10}$/.test(timestamp) &&
    Math.abs(Date.now() / 1000 - Number(timestamp)) < 3600;
  const expected = createHmac('sha256', `${timestamp}\n${SECRET}`).update(Buffer.alloc(0)).digest('base64');
  if (!fresh || payload.sign !== expected)
    return {
      status: 200,
      body: { code: 19021, data: {}, msg: 'sign match fail or timestamp is not within one hour from current time' },
    };
  const card = payload.card;
  const shaped =
    payload.msg_type === 'interactive' &&
    typeof card?.header?.title?.content === 'string' &&
    Array.isArray(card.elements) &&
    card.elements.every((element: Payload) => ['markdown', 'div', 'action', 'note'].includes(element.tag)) &&
    card.elements
      .filter((element: Payload) => element.tag === 'action')
      .every((element: Payload) => element.actions.every((button: Payload) => /^https?:\/\//.test(button.url)));
  if (!shaped) return { status: 400, body: BAD_REQUEST };
  accepted.push(card);
  return { status: 200, body: OK };
}

/** Every text a reader sees on the card, in order. */
function cardText(card: Payload): string {
  const parts: string[] = [card.header.title.content];
  for (const element of card.elements) {
    if (element.tag === 'markdown') parts.push(element.content);
    if (element.tag === 'div') parts.push(...element.fields.map((field: Payload) => field.text.content));
    if (element.tag === 'action')
      parts.push(...element.actions.map((button: Payload) => `${button.text.content} ${button.url}`));
    if (element.tag === 'note') parts.push(...element.elements.map((text: Payload) => text.content));
  }
  return parts.join('\n');
}

const accepted: Payload[] = [];
const forced: Answer[] = [];
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const answer = forced.shift() ?? feishuBot(request, Buffer.concat(chunks).toString('utf8'));
    response.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
    response.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
  });
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const create = (overrides: Partial<FeishuNotifierOptions> = {}): Notifier => {
  accepted.length = 0;
  forced.length = 0;
  return createFeishuNotifier({ webhook: `${base}/open-apis/bot/v2/hook/${HOOK}`, secret: SECRET, ...overrides });
};
const failure = async (notifier: Notifier): Promise<DifyLogsError> => {
  const error = await notifier.send(sampleMessage()).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!DifyLogsError.isInstance(error)) throw new Error(`expected a DifyLogsError, got ${String(error)}`);
  expect(error.message).not.toContain(HOOK);
  expect(error.message).not.toContain(SECRET);
  return error;
};

testNotifier(vitest, {
  name: 'feishu interactive card, signed',
  create: () => create(),
  received: () => accepted.map(cardText),
});

describe('feishu protocol', () => {
  it('sends a card: header coloured by severity, markdown summary, fact fields, link buttons, note', async () => {
    await create().send(
      sampleMessage({
        severity: 'error',
        kind: 'failure',
        links: [
          { label: 'Report', url: 'https://r.example.com/a.html' },
          { label: 'Archive', url: './output/x.ndjson' },
        ],
      }),
    );
    const card = accepted[0]!;
    expect(card.header).toEqual({
      title: { tag: 'plain_text', content: 'Daily report: Ticket Triage 2026-03-01' },
      template: 'red',
    });
    expect(card.elements[0]).toEqual({
      tag: 'markdown',
      content: '1 204 runs, 17 failed (1.4 %), p95 4.2 s. 客服工单 ✅\nArchive: ./output/x.ndjson',
    });
    expect(card.elements[1].fields[2]).toEqual({
      is_short: true,
      text: { tag: 'lark_md', content: '**Tokens**\n98 765' },
    });
    expect(card.elements[2].actions).toEqual([
      {
        tag: 'button',
        text: { tag: 'plain_text', content: 'Report' },
        type: 'primary',
        url: 'https://r.example.com/a.html',
      },
    ]);
    expect(card.elements[3].elements[0].content).toBe(
      'ERROR · failure · nightly · run run-1 · 2026-03-02T01:00:00.000Z',
    );
  });

  it('sends unsigned bodies without timestamp and sign when no secret is set', async () => {
    const seen: Payload[] = [];
    const notifier = createFeishuNotifier({
      webhook: `https://open.feishu.cn/open-apis/bot/v2/hook/${HOOK}`,
      fetch: async (_url, init) => {
        seen.push(JSON.parse(String(init?.body)));
        return new Response(JSON.stringify({ Extra: null, StatusCode: 0, StatusMessage: 'success' }), {
          headers: { 'content-type': 'application/json' },
        });
      },
    });
    await notifier.send(sampleMessage()); // the legacy StatusCode-only answer is a success too
    expect(Object.keys(seen[0]!)).toEqual(['msg_type', 'card']);
  });

  it('rejects bad options, naming the key', () => {
    for (const [webhook, key] of [
      [`http://open.feishu.cn/open-apis/bot/v2/hook/${HOOK}`, 'webhook'],
      ['not a url', 'webhook'],
    ] as const) {
      expect(() => createFeishuNotifier({ webhook })).toThrow(expect.objectContaining({ key }));
    }
    expect(() => create({ secret: '' })).toThrow(expect.objectContaining({ key: 'secret' }));
  });
});

describe('feishu errors', () => {
  it('a wrong secret is code 19021: not retryable, no token or secret in the message', async () => {
    const error = await failure(create({ secret: 'wrong-secret-value' }));
    expect(error).toMatchObject({ code: 'security_check_failed', isRetryable: false });
    expect(error.message).toBe(
      `feishu (${base}/open-apis/bot/v2/hook/[redacted]): Feishu refused the message: ` +
        `code 19021 (sign match fail or timestamp is not within one hour from current time)`,
    );
  });

  it.each([
    [{ code: 11232, data: {}, msg: 'frequency limited' }, 'rate_limited', true],
    [{ StatusCode: 0, StatusMessage: '', code: 9499, msg: 'too many request' }, 'rate_limited', true],
    [BAD_REQUEST, 'invalid_message', false],
    [{ code: 19024, msg: 'Key Words Not Found' }, 'security_check_failed', false],
    [{ StatusCode: 19021, StatusMessage: 'sign error' }, 'security_check_failed', false],
  ])('classifies %j', async (body, code, retryable) => {
    const notifier = create();
    forced.push({ status: 200, body });
    expect(await failure(notifier)).toMatchObject({ code, isRetryable: retryable });
  });

  it('an unknown hook is not retryable; HTTP 5xx is', async () => {
    expect(
      await failure(createFeishuNotifier({ webhook: `${base}/open-apis/bot/v2/hook/00000000-unknown-hook-id` })),
    ).toMatchObject({ code: 'invalid_webhook', isRetryable: false });
    const notifier = create();
    forced.push({ status: 502, body: '<html>502 Bad Gateway</html>' });
    expect(await failure(notifier)).toMatchObject({ code: 'http_502', isRetryable: true });
  });
});

describe('feishu size limit and escaping', () => {
  it('keeps the body within 20 KB, cutting a Chinese + emoji summary on a code-point boundary', async () => {
    await create().send(sampleMessage({ summary: '飞书卡片消息🎉'.repeat(5_000) }));
    const content = accepted[0]!.elements[0].content as string;
    expect(content).toMatch(
      /[^\uD800-\uDBFF]…\n\nfull report: \[Report\]\(https:\/\/reports\.example\.com\/daily\/2026-03-01\.html\)$/,
    );
    expect(Buffer.byteLength(content)).toBeGreaterThan(15_000);
  });

  it('drops facts last-first when even they do not fit, keeping the title', async () => {
    const facts = Array.from({ length: 400 }, (_, index) => ({ label: `fact ${index}`, value: '值'.repeat(20) }));
    await create().send(sampleMessage({ facts }));
    const card = accepted[0]!;
    expect(card.header.title.content).toBe('Daily report: Ticket Triage 2026-03-01');
    expect(card.elements[1].fields.length).toBeLessThan(400);
  });

  it('neutralises @all, tags, links and Markdown in log text', async () => {
    const summary =
      "<at id=all></at> <font color='red'>x</font> <script>y</script> " +
      '**b** [l](https://evil.example) `c` ~~s~~\n# h\n- item';
    await create().send(sampleMessage({ summary, facts: [{ label: '<at id=all></at>', value: '*v*' }] }));
    const text = cardText(accepted[0]!);
    for (const hostile of ['<at', '<font', '<script', '**b**', '[l](', '`c`', '~~s~~', '\n# h', '\n- item', '*v*'])
      expect(text).not.toContain(hostile);
    expect(accepted[0]!.elements[0].content).toContain('&#60;at id=all&#62;&#60;/at&#62;');
  });
});
