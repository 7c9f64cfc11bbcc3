import * as vitest from 'vitest';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DifyLogsError } from '@dify-logs/core';
import type { Notifier } from '@dify-logs/core/adapter-kit';
import { sampleMessage, testNotifier } from '@dify-logs/core/testing';
import { createDingtalkNotifier, type DingtalkNotifierOptions } from '../src/index.js';

const TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';
const SECRET = 'SECf0e1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e6f708192a3b4c5d6e7f8';
const KEYWORD = '日报';
type Answer = { status: number; body: unknown };
type Payload = Record<string, any>;

/**
 * A DingTalk group robot as documented (custom robot, 加签 + 自定义关键词): checks method, content type,
 * access_token, the signature recomputed from the received timestamp, keyword, body shape and the
 * 20 000-byte limit, and answers with DingTalk's own bodies.
 */
function dingtalkRobot(): (request: IncomingMessage, raw: string) => Answer {
  return (request, raw) => {
    const query = (request.url ?? '').split('?')[1] ?? '';
    const params = new URLSearchParams(query);
    if (request.method !== 'POST' || !(request.url ?? '').startsWith('/robot/send?'))
      return { status: 404, body: { errcode: 404, errmsg: 'not found' } };
    if (!/^application\/json/.test(request.headers['content-type'] ?? ''))
      return { status: 200, body: { errcode: 40035, errmsg: '缺少参数 json' } };
    if (params.get('access_token') !== TOKEN)
      return { status: 200, body: { errcode: 300001, errmsg: 'token is not exist' } };
    const timestamp = params.get('timestamp') ?? '';
    const rawSign = /(?:^|&)sign=([^&]*)/.exec(query)?.[1] ?? '';
    const expected = createHmac('sha256', SECRET).update(`${timestamp}\n${SECRET}`).digest('base64');
    const fresh = /^\d{13}$/.test(timestamp) && Math.abs(Date.now() - Number(timestamp)) < 3_600_000;
    // The sign must arrive URL-encoded: a raw + / = would be decoded differently by DingTalk.
    if (!fresh || !/^[A-Za-z0-9%]+$/.test(rawSign) || decodeURIComponent(rawSign) !== expected) {
      return {
        status: 200,
        body: {
          errcode: 310000,
          errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]',
        },
      };
    }
    const payload = JSON.parse(raw) as Payload;
    const content =
      payload.msgtype === 'markdown'
        ? payload.markdown
        : payload.msgtype === 'actionCard'
          ? payload.actionCard
          : undefined;
    if (typeof content?.title !== 'string' || typeof content?.text !== 'string')
      return { status: 200, body: { errcode: 40035, errmsg: '缺少参数 markdown' } };
    if (
      payload.msgtype === 'actionCard' &&
      !payload.actionCard.btns.every(
        (button: Payload) => typeof button.title === 'string' && /^https?:/.test(button.actionURL),
      )
    ) {
      return { status: 200, body: { errcode: 40035, errmsg: '缺少参数 btns' } };
    }
    if (Buffer.byteLength(content.text) > 20_000)
      return { status: 200, body: { errcode: 460101, errmsg: 'message too long, exceed 20000 bytes' } };
    if (!`${content.title}${content.text}`.includes(KEYWORD))
      return {
        status: 200,
        body: {
          errcode: 310000,
          errmsg: 'keywords not in content, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]',
        },
      };
    for (const mobile of payload.at?.atMobiles ?? [])
      if (!content.text.includes(`@${mobile}`))
        return { status: 200, body: { errcode: 40035, errmsg: 'at mobile not in text' } };
    accepted.push(payload);
    return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
  };
}

const accepted: Payload[] = [];
const forced: Answer[] = [];
const robot = dingtalkRobot();
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const answer = forced.shift() ?? robot(request, Buffer.concat(chunks).toString('utf8'));
    response.writeHead(answer.status, { 'content-type': 'application/json;charset=utf-8' });
    response.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
  });
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const webhook = () => `${base}/robot/send?access_token=${TOKEN}`;
const create = (overrides: Partial<DingtalkNotifierOptions> = {}): Notifier => {
  accepted.length = 0;
  forced.length = 0;
  return createDingtalkNotifier({ webhook: webhook(), secret: SECRET, keyword: KEYWORD, ...overrides });
};
const textOf = (payload: Payload): string =>
  payload.msgtype === 'markdown'
    ? payload.markdown.text
    : [
        payload.actionCard.text,
        ...payload.actionCard.btns.map((button: Payload) => `${button.title} ${button.actionURL}`),
      ].join('\n');
const failure = async (notifier: Notifier): Promise<DifyLogsError> => {
  const error = await notifier.send(sampleMessage()).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!DifyLogsError.isInstance(error)) throw new Error(`expected a DifyLogsError, got ${String(error)}`);
  expect(error.message).not.toContain(TOKEN);
  expect(error.message).not.toContain(SECRET);
  return error;
};

testNotifier(vitest, {
  name: 'dingtalk markdown, signed + keyword + @',
  create: () => create({ atMobiles: ['13800001111'] }),
  received: () => accepted.map(textOf),
});
testNotifier(vitest, {
  name: 'dingtalk actionCard',
  create: () => create({ msgType: 'actionCard' }),
  received: () => accepted.map(textOf),
});

describe('dingtalk protocol', () => {
  it('sends markdown with title, @ list and the keyword prepended to a title without it', async () => {
    await create({ atMobiles: ['13800001111'], atAll: false }).send(sampleMessage());
    const [payload] = accepted;
    expect(payload?.msgtype).toBe('markdown');
    expect(payload?.markdown.title).toBe(`${KEYWORD} Daily report: Ticket Triage 2026-03-01`);
    expect(payload?.at).toEqual({ atMobiles: ['13800001111'], isAtAll: false });
    expect(payload?.markdown.text).toContain('@13800001111');
    expect(payload?.markdown.text).toContain('[Report](https://reports.example.com/daily/2026-03-01.html)');
  });

  it('sends an actionCard with one button per web link, and lists a local path as text', async () => {
    const links = [
      { label: 'Report', url: 'https://reports.example.com/r.html' },
      { label: 'Archive', url: './output/data/x.ndjson' },
    ];
    await create({ msgType: 'actionCard' }).send(sampleMessage({ links }));
    const card = accepted[0]?.actionCard;
    expect(card.btnOrientation).toBe('0');
    expect(card.btns).toEqual([{ title: 'Report', actionURL: 'https://reports.example.com/r.html' }]);
    expect(card.text).toContain('Archive: ./output/data/x.ndjson');
  });

  it('rejects bad options, naming the key and never echoing the token', () => {
    const attempts: Array<[Partial<DingtalkNotifierOptions>, string]> = [
      [{ webhook: `http://oapi.dingtalk.com/robot/send?access_token=${TOKEN}` }, 'webhook'],
      [{ webhook: 'https://oapi.dingtalk.com/robot/send' }, 'webhook'],
      [{ msgType: 'text' as 'markdown' }, 'msgType'],
      [{ msgType: 'actionCard', atMobiles: ['13800001111'] }, 'atMobiles'],
      [{ maxBytes: 50_000 }, 'maxBytes'],
    ];
    for (const [overrides, key] of attempts) {
      let error: unknown;
      try {
        create(overrides);
      } catch (caught) {
        error = caught;
      }
      expect((error as { key?: string }).key).toBe(key);
      expect((error as Error).message).not.toContain(TOKEN);
    }
  });
});

describe('dingtalk errors', () => {
  it('a wrong secret is errcode 310000: not retryable', async () => {
    const error = await failure(create({ secret: 'SECwrong-secret-0000000000' }));
    expect(error).toMatchObject({ code: 'security_check_failed', isRetryable: false });
    expect(error.message).toContain('310000');
    expect(error.message).toContain(`${base}/robot/send`);
  });

  it('a title without the keyword and no keyword option is refused (310000)', async () => {
    const notifier = createDingtalkNotifier({ webhook: webhook(), secret: SECRET });
    expect(await failure(notifier)).toMatchObject({ code: 'security_check_failed', isRetryable: false });
  });

  it('errcode 130101 (send too fast) is retryable; 300001 (bad token) is not', async () => {
    const notifier = create();
    forced.push({ status: 200, body: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } });
    expect(await failure(notifier)).toMatchObject({ code: 'rate_limited', isRetryable: true });
    expect(
      await failure(
        createDingtalkNotifier({
          webhook: `${base}/robot/send?access_token=wrong-token-1234`,
          secret: SECRET,
          keyword: KEYWORD,
        }),
      ),
    ).toMatchObject({ code: 'invalid_token', isRetryable: false });
  });

  it('HTTP 5xx and refused connections are retryable and show no token', async () => {
    const notifier = create();
    forced.push({ status: 502, body: '<html>bad gateway</html>' });
    expect(await failure(notifier)).toMatchObject({ isRetryable: true });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const offline = createDingtalkNotifier({
      webhook: `http://127.0.0.1:${port}/robot/send?access_token=${TOKEN}`,
      secret: SECRET,
    });
    expect(await failure(offline)).toMatchObject({ code: 'network_error', isRetryable: true });
  });
});

describe('dingtalk size limit and escaping', () => {
  it(
    'cuts a long Chinese + emoji summary on a UTF-8 ' + 'boundary, within 20 000 bytes, with a full-report line',
    async () => {
      await create().send(sampleMessage({ summary: '失败原因：超时😀'.repeat(3_000) }));
      const text = accepted[0]!.markdown.text as string;
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(20_000);
      expect(Buffer.byteLength(text)).toBeGreaterThan(19_000);
      expect(text).not.toContain('\uFFFD');
      expect(text).toMatch(/[^\uD800-\uDBFF]…/); // no lone high surrogate before the ellipsis
      expect(text).toContain('full report: [Report](https://reports.example.com/daily/2026-03-01.html)');
      expect(text).toContain('98 765');
    },
  );

  it('respects a smaller maxBytes', async () => {
    const notifier = create({ maxBytes: 600 });
    await notifier.send(sampleMessage({ summary: '🚀'.repeat(1_000) }));
    expect(Buffer.byteLength(accepted[0]!.markdown.text)).toBeLessThanOrEqual(600);
    expect(notifier.capabilities).toEqual({ markdown: true, maxLength: 600 });
  });

  it('neutralises HTML and Markdown in log text', async () => {
    const summary =
      '<script>alert(1)</script> **bold** [click](https://evil.example)\n# heading\n<font color=red>x</font> `code`';
    await create().send(sampleMessage({ summary, facts: [{ label: 'Error', value: '|a|b| _x_' }] }));
    const text = accepted[0]!.markdown.text as string;
    for (const hostile of ['<script>', '<font', '**bold**', '[click](', '\n# heading', '`code`', '_x_'])
      expect(text).not.toContain(hostile);
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(text).toContain('\\*\\*bold\\*\\*');
    expect(text).toContain('\\# heading');
  });
});
