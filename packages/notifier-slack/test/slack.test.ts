import * as vitest from 'vitest';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DifyHttpError, DifyLogsError } from '@dify-logs/core';
import type { Notifier } from '@dify-logs/core/adapter-kit';
import { sampleMessage, testNotifier } from '@dify-logs/core/testing';
import { createSlackNotifier, type SlackNotifierOptions } from '../src/index.js';

const HOOK_PATH = '/services/T0AB12CD3/B0EF45GH6/xQ9vLm2Rt7Kp4Wz8Yb3Nc6Jd';
const TOKEN = 'xQ9vLm2Rt7Kp4Wz8Yb3Nc6Jd';
type Answer = { status: number; body: string; headers?: Record<string, string> };
type Payload = Record<string, any>;

const within = (text: unknown, max: number) => typeof text === 'string' && text.length >= 1 && text.length <= max;
/** Block Kit's documented limits for the blocks we send. */
function validBlocks(blocks: Payload[]): boolean {
  return (
    blocks.length <= 50 &&
    blocks.every((block) => {
      if (block.type === 'header') return block.text.type === 'plain_text' && within(block.text.text, 150);
      if (block.type === 'section' && block.text) return block.text.type === 'mrkdwn' && within(block.text.text, 3000);
      if (block.type === 'section')
        return block.fields.length <= 10 && block.fields.every((field: Payload) => within(field.text, 2000));
      if (block.type === 'context')
        return block.elements.length <= 10 && block.elements.every((element: Payload) => within(element.text, 3000));
      return false;
    })
  );
}

/**
 * A Slack incoming webhook as documented: POST JSON to the hook's path, `text` and/or `blocks`, answered
 * 200 `ok` (text/html) or with Slack's plain-text error codes. Legacy channel overrides: `#archived`
 * and `#missing` answer 410 `channel_is_archived` and 404 `channel_not_found`.
 */
function slackHook(request: IncomingMessage, raw: string): Answer {
  if (request.method !== 'POST') return { status: 405, body: 'invalid_request' };
  if (request.url !== HOOK_PATH) return { status: 404, body: 'no_service' };
  if (!/^application\/json/.test(request.headers['content-type'] ?? ''))
    return { status: 400, body: 'invalid_payload' };
  let payload: Payload;
  try {
    payload = JSON.parse(raw) as Payload;
  } catch {
    return { status: 400, body: 'invalid_payload' };
  }
  if (typeof payload.text !== 'string' || payload.text === '') return { status: 400, body: 'no_text' };
  if (!Array.isArray(payload.blocks) || !validBlocks(payload.blocks)) return { status: 400, body: 'invalid_blocks' };
  if (payload.channel === '#archived') return { status: 410, body: 'channel_is_archived' };
  if (payload.channel === '#missing') return { status: 404, body: 'channel_not_found' };
  accepted.push(payload);
  return { status: 200, body: 'ok', headers: { 'content-type': 'text/html' } };
}

const accepted: Payload[] = [];
const forced: Answer[] = [];
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const answer = forced.shift() ?? slackHook(request, Buffer.concat(chunks).toString('utf8'));
    response.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
    response.end(answer.body);
  });
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const create = (overrides: Partial<SlackNotifierOptions> = {}): Notifier => {
  accepted.length = 0;
  forced.length = 0;
  return createSlackNotifier({ webhook: `${base}${HOOK_PATH}`, ...overrides });
};
const failure = async (notifier: Notifier): Promise<DifyLogsError> => {
  const error = await notifier.send(sampleMessage()).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!DifyLogsError.isInstance(error)) throw new Error(`expected a DifyLogsError, got ${String(error)}`);
  expect(error.message).not.toContain(TOKEN);
  expect(error.message).not.toContain('B0EF45GH6');
  return error;
};
/** Every mrkdwn text of the blocks (the header is plain_text, which Slack never parses for mentions or links). */
const blockText = (payload: Payload): string => JSON.stringify(payload.blocks.slice(1));

// The suite reads the `text` fallback: the whole message in one string, what notifications show.
testNotifier(vitest, {
  name: 'slack incoming webhook',
  create: () => create(),
  received: () => accepted.map((payload) => payload.text as string),
});

describe('slack protocol', () => {
  it('sends Block Kit: header, mrkdwn summary, fields, links and context, with channel and username', async () => {
    await create({ channel: '#reports', username: 'dify-logs' }).send(
      sampleMessage({
        links: [
          { label: 'Report', url: 'https://r.example.com/a.html' },
          { label: 'Archive', url: './out/x.ndjson' },
        ],
      }),
    );
    const payload = accepted[0]!;
    expect(payload.channel).toBe('#reports');
    expect(payload.username).toBe('dify-logs');
    expect(payload.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Daily report: Ticket Triage 2026-03-01', emoji: true },
    });
    expect(payload.blocks[1]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '1 204 runs, 17 failed (1.4 %), p95 4.2 s. 客服工单 ✅' },
    });
    expect(payload.blocks[2].fields[2]).toEqual({ type: 'mrkdwn', text: '*Tokens*\n98 765' });
    expect(payload.blocks[3].elements[0].text).toBe(
      '<https://r.example.com/a.html|Report>  ·  Archive: ./out/x.ndjson',
    );
    expect(payload.blocks[4].elements[0].text).toBe(
      '*INFO* · report-ready · nightly · run run-1 · 2026-03-02T01:00:00.000Z',
    );
  });

  it('keeps within Block Kit limits: 150-char header, 3000-char section, 10 fields per section', async () => {
    const facts = Array.from({ length: 23 }, (_, index) => ({ label: `fact ${index}`, value: '值'.repeat(3000) }));
    await create().send(sampleMessage({ title: '标题😀'.repeat(100), summary: '😀'.repeat(5000), facts }));
    const blocks = accepted[0]!.blocks as Payload[];
    expect(blocks[0]!.text.text.length).toBeLessThanOrEqual(150);
    expect(blocks[0]!.text.text).not.toMatch(/[\uD800-\uDBFF]$/);
    expect(blocks[1]!.text.text).toMatch(
      /…\nfull report: <https:\/\/reports\.example\.com\/daily\/2026-03-01\.html\|Report>$/,
    );
    expect(blocks.filter((block) => block.fields).map((block) => block.fields.length)).toEqual([10, 10, 3]);
    expect((accepted[0]!.text as string).length).toBeLessThanOrEqual(3000);
  });

  it('rejects bad options, naming the key and never echoing the path', () => {
    expect(() => createSlackNotifier({ webhook: `http://hooks.slack.com${HOOK_PATH}` })).toThrow(
      expect.objectContaining({ key: 'webhook' }),
    );
    expect(() => createSlackNotifier({ webhook: `http://hooks.slack.com${HOOK_PATH}` })).not.toThrow(new RegExp(TOKEN));
    expect(() => create({ channel: '' })).toThrow(expect.objectContaining({ key: 'channel' }));
  });
});

describe('slack errors', () => {
  it('429 with Retry-After is retryable and keeps the delay', async () => {
    const notifier = create();
    forced.push({ status: 429, body: 'rate_limited', headers: { 'retry-after': '30' } });
    const error = await failure(notifier);
    expect(error).toMatchObject({ code: 'rate_limited', isRetryable: true, status: 429 });
    expect(DifyHttpError.isInstance(error) && error.retryAfterMs).toBe(30_000);
    expect(error.message).toBe(`slack (${base}/services/[redacted]) answered HTTP 429 (rate_limited)`);
  });

  it.each([
    [{ status: 400, body: 'invalid_payload' }, 'invalid_payload'],
    [{ status: 403, body: 'action_prohibited' }, 'action_prohibited'],
    [{ status: 404, body: 'no_service' }, 'no_service'],
  ])('%j is not retryable', async (answer, code) => {
    const notifier = create();
    forced.push(answer);
    expect(await failure(notifier)).toMatchObject({ code, isRetryable: false });
  });

  it('channel_not_found, channel_is_archived and an unknown hook come from the hook itself, not retried', async () => {
    expect(await failure(create({ channel: '#missing' }))).toMatchObject({
      code: 'channel_not_found',
      status: 404,
      isRetryable: false,
    });
    expect(await failure(create({ channel: '#archived' }))).toMatchObject({
      code: 'channel_is_archived',
      status: 410,
      isRetryable: false,
    });
    expect(
      await failure(createSlackNotifier({ webhook: `${base}/services/T0AB12CD3/B0EF45GH6/wrongtoken123` })),
    ).toMatchObject({ code: 'no_service', isRetryable: false });
  });

  it('500 rollup_error is retryable', async () => {
    const notifier = create();
    forced.push({ status: 500, body: 'rollup_error' });
    expect(await failure(notifier)).toMatchObject({ code: 'rollup_error', isRetryable: true });
  });
});

describe('slack escaping', () => {
  it('neutralises <!channel>, <!here>, user mentions and injected links in every text', async () => {
    const hostile = '<!channel> <!here> <@U024BE7LH> <https://evil.example|click me> & <script>x</script>';
    await create().send(
      sampleMessage({
        title: `Failed ${hostile}`,
        summary: hostile,
        facts: [{ label: '<!everyone>', value: hostile }],
        job: '<!here>',
      }),
    );
    const payload = accepted[0]!;
    for (const text of [payload.text as string, blockText(payload)]) {
      for (const injected of [
        '<!channel>',
        '<!here>',
        '<!everyone>',
        '<@U024BE7LH>',
        '<https://evil.example',
        '<script>',
      ])
        expect(text).not.toContain(injected);
    }
    expect(payload.blocks[0].text).toMatchObject({ type: 'plain_text', text: `Failed ${hostile}` });
    expect(payload.blocks[1].text.text).toBe(
      '&lt;!channel&gt; &lt;!here&gt; &lt;@U024BE7LH&gt; ' +
        '&lt;https://evil.example|click me&gt; &amp; &lt;script&gt;x&lt;/script&gt;',
    );
  });

  it('never cuts an entity in half', async () => {
    await create().send(sampleMessage({ summary: '<'.repeat(2000) }));
    expect(accepted[0]!.blocks[1].text.text).toMatch(/^(&lt;)+…\nfull report: /);
  });
});
