import * as vitest from 'vitest';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DifyLogsError } from '@dify-logs/core';
import type { Notifier } from '@dify-logs/core/adapter-kit';
import { sampleMessage, testNotifier } from '@dify-logs/core/testing';
import { createWecomNotifier, type WecomNotifierOptions } from '../src/index.js';

const KEY = '693a91f6-7f9c-4bc4-97a0-0ec2sifa5aaa';
type Answer = { status: number; body: unknown };
type Payload = Record<string, any>;
const hint = (code: number) =>
  `hint: [1709280000_12_3f2a], from ip: 203.0.113.7, more info ` +
  `at https://open.work.weixin.qq.com/devtool/query?e=${code}`;

/**
 * A WeCom group robot as documented (群机器人配置说明): POST JSON to /cgi-bin/webhook/send?key=…,
 * markdown content of at most 4096 UTF-8 bytes, answered with WeCom's own bodies.
 */
function wecomRobot(request: IncomingMessage, raw: string): Answer {
  const url = new URL(request.url ?? '/', 'http://robot');
  if (request.method !== 'POST' || url.pathname !== '/cgi-bin/webhook/send') return { status: 404, body: 'not found' };
  if (url.searchParams.get('key') !== KEY)
    return { status: 200, body: { errcode: 93000, errmsg: `invalid webhook url, ${hint(93000)}` } };
  if (!/^application\/json/.test(request.headers['content-type'] ?? ''))
    return { status: 200, body: { errcode: 40035, errmsg: `invalid parameter, ${hint(40035)}` } };
  const payload = JSON.parse(raw) as Payload;
  if (payload.msgtype !== 'markdown')
    return { status: 200, body: { errcode: 40008, errmsg: `invalid message type, ${hint(40008)}` } };
  const content = payload.markdown?.content;
  if (typeof content !== 'string' || content === '')
    return { status: 200, body: { errcode: 44004, errmsg: `empty content, ${hint(44004)}` } };
  if (Buffer.byteLength(content) > 4096)
    return {
      status: 200,
      body: {
        errcode: 40058,
        errmsg: `markdown.content exceed max length 4096. Invalid input invalid Request Parameter, ${hint(40058)}`,
      },
    };
  accepted.push(content);
  return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
}

const accepted: string[] = [];
const forced: Answer[] = [];
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const answer = forced.shift() ?? wecomRobot(request, Buffer.concat(chunks).toString('utf8'));
    response.writeHead(answer.status, { 'content-type': 'application/json; charset=UTF-8' });
    response.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
  });
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const create = (overrides: Partial<WecomNotifierOptions> = {}): Notifier => {
  accepted.length = 0;
  forced.length = 0;
  return createWecomNotifier({ webhook: `${base}/cgi-bin/webhook/send?key=${KEY}`, ...overrides });
};
const failure = async (notifier: Notifier): Promise<DifyLogsError> => {
  const error = await notifier.send(sampleMessage()).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!DifyLogsError.isInstance(error)) throw new Error(`expected a DifyLogsError, got ${String(error)}`);
  expect(error.message).not.toContain(KEY);
  return error;
};

testNotifier(vitest, {
  name: 'wecom markdown',
  create: () => create({ mentionedList: ['zhangsan'] }),
  received: () => [...accepted],
});

describe('wecom protocol', () => {
  it('sends markdown with a severity colour, facts, links and <@userid> mentions', async () => {
    await create({ mentionedList: ['zhangsan', 'li.si'] }).send(sampleMessage({ severity: 'error' }));
    const content = accepted[0]!;
    expect(
      content.startsWith('## Daily report: Ticket Triage 2026-03-01\n<font color="warning">**ERROR**</font>'),
    ).toBe(true);
    expect(content).toContain('**Tokens**: 98 765');
    expect(content).toContain('[Report](https://reports.example.com/daily/2026-03-01.html)');
    expect(content.endsWith('<@zhangsan><@li.si>')).toBe(true);
    await create().send(sampleMessage({ severity: 'info' }));
    expect(accepted[0]).toContain('<font color="info">**INFO**</font>');
  });

  it('rejects bad options, naming the key and never echoing it', () => {
    const attempts: Array<[Partial<WecomNotifierOptions>, string]> = [
      [{ webhook: `http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${KEY}` }, 'webhook'],
      [{ webhook: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' }, 'webhook'],
      [{ mentionedList: ['@all'] }, 'mentionedList'],
      [{ mentionedList: ['<@x>'] }, 'mentionedList'],
      [{ maxBytes: 5000 }, 'maxBytes'],
    ];
    for (const [overrides, key] of attempts) {
      let error: unknown;
      try {
        create(overrides);
      } catch (caught) {
        error = caught;
      }
      expect((error as { key?: string }).key).toBe(key);
      expect((error as Error).message).not.toContain(KEY);
    }
  });
});

describe('wecom errors', () => {
  it('errcode 45009 (api freq out of limit) is retryable', async () => {
    const notifier = create();
    forced.push({ status: 200, body: { errcode: 45009, errmsg: `api freq out of limit, ${hint(45009)}` } });
    const error = await failure(notifier);
    expect(error).toMatchObject({ code: 'rate_limited', isRetryable: true });
    expect(error.message).toBe(
      `wecom (${base}/cgi-bin/webhook/send): WeCom refused the message: errcode 45009 (api freq out of limit)`,
    );
  });

  it('errcode 93000 (invalid webhook url) is not retryable and shows no key', async () => {
    const notifier = createWecomNotifier({
      webhook: `${base}/cgi-bin/webhook/send?key=00000000-dead-beef-0000-000000000000`,
    });
    const error = await failure(notifier);
    expect(error).toMatchObject({ code: 'invalid_webhook', isRetryable: false });
    expect(error.message).not.toContain('00000000-dead-beef');
  });

  it('HTTP 503 is retryable', async () => {
    const notifier = create();
    forced.push({ status: 503, body: 'Service Unavailable' });
    expect(await failure(notifier)).toMatchObject({ code: 'http_503', isRetryable: true });
  });
});

describe('wecom size limit and escaping', () => {
  it.each([
    ['Chinese', '企业微信机器人消息内容'.repeat(600)],
    ['emoji', '🚨🔥✅'.repeat(1_000)],
    ['mixed', 'a中😀'.repeat(1_500)],
  ])('cuts a long %s summary to 4096 bytes on a code-point boundary', async (_kind, summary) => {
    await create({ mentionedList: ['zhangsan'] }).send(sampleMessage({ summary }));
    const content = accepted[0]!;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(content)).toBeGreaterThan(3900);
    expect(Buffer.from(content, 'utf8').toString('utf8')).toBe(content);
    expect(content).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(content).toContain('…\nfull report: [Report](https://reports.example.com/daily/2026-03-01.html)');
    expect(content.endsWith('<@zhangsan>')).toBe(true);
  });

  it('neutralises mentions, colour tags, HTML and Markdown in log text', async () => {
    const summary =
      '<@all> <@boss> <font color="warning">fake</font> <script>x</script>\n' +
      '# big\n> quote **bold** [link](https://evil.example)';
    await create().send(sampleMessage({ summary, facts: [{ label: '<@ceo>', value: '`tick`' }] }));
    const content = accepted[0]!;
    for (const hostile of [
      '<@all>',
      '<@boss>',
      '<@ceo>',
      '<font color="warning">fake',
      '<script>',
      '\n# big',
      '\n> quote',
      '**bold**',
      '[link](',
      '`tick`',
    ]) {
      expect(content).not.toContain(hostile);
    }
    expect(content).toContain('＜@boss＞ ＜font color="warning"＞fake＜/font＞ ＜script＞x＜/script＞');
  });
});
