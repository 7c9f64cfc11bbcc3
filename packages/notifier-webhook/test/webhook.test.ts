import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DifyConfigError, DifyLogsError } from '@dify-logs/core';
import { sampleMessage } from '@dify-logs/core/testing';
import {
  createWebhookNotifier,
  signWebhookBody,
  verifyWebhookSignature,
  type WebhookNotifierOptions,
} from '../src/index.js';
import { startWebhookServer, type WebhookTestServer } from './support/webhook-test-server.js';

const secret = 'whsec-test-secret-value';
let server: WebhookTestServer;
beforeAll(async () => {
  server = await startWebhookServer({ secret });
});
afterAll(() => server.close());

async function sendError(options: WebhookNotifierOptions): Promise<DifyLogsError> {
  const error = await createWebhookNotifier(options)
    .send(sampleMessage())
    .then(
      () => {
        throw new Error('send resolved');
      },
      (caught: unknown) => caught,
    );
  expect(DifyLogsError.isInstance(error)).toBe(true);
  const classified = error as DifyLogsError;
  for (const hidden of [secret, 'query-token-123', 'Bearer header-token'])
    expect(classified.message).not.toContain(hidden);
  return classified;
}

describe('webhook notifier', () => {
  it('posts a signed JSON payload that the receiver verifies', async () => {
    server.reset();
    const notifier = createWebhookNotifier({
      url: server.url,
      secret,
      headers: { Authorization: 'Bearer header-token', 'Content-Type': 'text/plain' },
    });
    const receipt = await notifier.send(sampleMessage());
    expect(receipt).toEqual({ notifier: 'webhook', id: 'delivery-1' });
    const [request] = server.accepted;
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request?.headers['authorization']).toBe('Bearer header-token');
    expect(request?.headers['user-agent']).toMatch(/^dify-logs\//);
    expect(Number(request?.headers['x-dify-logs-timestamp'])).toBeCloseTo(Date.now() / 1000, -1);
    expect(request?.headers['x-dify-logs-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    const payload = JSON.parse(request?.body ?? '{}');
    expect(payload).toEqual({ version: 1, message: sampleMessage(), sentAt: expect.any(String) });
    expect(new Date(payload.sentAt).toISOString()).toBe(payload.sentAt);
  });

  it('lets the receiver refuse replays, old timestamps and tampered bodies', async () => {
    server.reset();
    await createWebhookNotifier({ url: server.url, secret }).send(sampleMessage());
    const [original] = server.accepted;
    const timestamp = String(original?.headers['x-dify-logs-timestamp']);
    const signature = String(original?.headers['x-dify-logs-signature']);
    const body = original?.body ?? '';
    const post = (headers: Record<string, string>, text: string) =>
      fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });

    expect((await post({ 'x-dify-logs-timestamp': timestamp, 'x-dify-logs-signature': signature }, body)).status).toBe(
      409,
    );
    const tampered = body.replace('"Failed","value":"17"', '"Failed","value":"0"');
    expect(tampered).not.toBe(body);
    expect(
      (await post({ 'x-dify-logs-timestamp': timestamp, 'x-dify-logs-signature': signature }, tampered)).status,
    ).toBe(401);
    const old = String(Math.floor(Date.now() / 1000) - 600);
    expect(
      (
        await post(
          { 'x-dify-logs-timestamp': old, 'x-dify-logs-signature': signWebhookBody({ secret, timestamp: old, body }) },
          body,
        )
      ).status,
    ).toBe(401);
    expect(server.refused.map((refusal) => refusal.status)).toEqual([409, 401, 401]);

    const now = Number(timestamp) * 1000;
    expect(verifyWebhookSignature({ secret, timestamp, signature, body, now })).toBe(true);
    expect(verifyWebhookSignature({ secret, timestamp, signature, body: Buffer.from(body), now: new Date(now) })).toBe(
      true,
    );
    expect(verifyWebhookSignature({ secret, timestamp, signature, body: tampered, now })).toBe(false);
    expect(verifyWebhookSignature({ secret: 'other-secret', timestamp, signature, body, now })).toBe(false);
    expect(verifyWebhookSignature({ secret, timestamp, signature, body, now: now + 301_000 })).toBe(false);
    expect(verifyWebhookSignature({ secret, timestamp, signature, body, now: now - 301_000 })).toBe(false);
    expect(
      verifyWebhookSignature({ secret, timestamp, signature, body, now: now + 600_000, toleranceSeconds: 900 }),
    ).toBe(true);
    expect(verifyWebhookSignature({ secret, timestamp: `${timestamp}.5`, signature, body, now })).toBe(false);
    expect(verifyWebhookSignature({ secret, timestamp, signature: signature.slice(0, -2), body, now })).toBe(false);
    expect(verifyWebhookSignature({ secret, timestamp, signature: undefined, body, now })).toBe(false);
  });

  it('sends no signature headers without a secret', async () => {
    const open = await startWebhookServer();
    try {
      await createWebhookNotifier({ url: open.url }).send(sampleMessage());
      expect(open.accepted[0]?.headers['x-dify-logs-signature']).toBeUndefined();
    } finally {
      await open.close();
    }
  });
});

describe('webhook notifier errors', () => {
  const options = { url: '', secret, headers: { Authorization: 'Bearer header-token' } };

  it('5xx and 429 are retryable, other 4xx are not; messages show origin and path only', async () => {
    for (const [status, retryable] of [
      [500, true],
      [503, true],
      [429, true],
      [400, false],
      [404, false],
      [301, false],
    ] as const) {
      server.reset();
      server.status = status;
      const error = await sendError({ ...options, url: server.url });
      expect(error).toMatchObject({ code: `http_${status}`, isRetryable: retryable });
      expect(error.message).toBe(`webhook (${new URL(server.url).origin}/hooks/dify-logs) answered HTTP ${status}`);
    }
  });

  it('a timeout and a refused connection are retryable', async () => {
    server.reset();
    server.delayMs = 1_000;
    const timeout = await sendError({ ...options, url: server.url, timeoutMs: 200 });
    expect(timeout).toMatchObject({ code: 'timeout', isRetryable: true });
    const closed = await startWebhookServer();
    const url = closed.url;
    await closed.close();
    const refused = await sendError({ ...options, url });
    expect(refused).toMatchObject({ code: 'network_error', isRetryable: true });
  });

  it('refuses bad options without echoing them', () => {
    const key = (input: Partial<WebhookNotifierOptions>) => {
      try {
        createWebhookNotifier(input as WebhookNotifierOptions);
      } catch (error) {
        expect(DifyConfigError.isInstance(error)).toBe(true);
        expect(String(error)).not.toContain('query-token-123');
        return (error as DifyConfigError).key;
      }
      return undefined;
    };
    expect(key({})).toBe('notification.webhook.url');
    expect(key({ url: 'not a url?token=query-token-123' })).toBe('notification.webhook.url');
    expect(key({ url: 'ftp://example.com/hook?token=query-token-123' })).toBe('notification.webhook.url');
    expect(key({ url: 'https://example.com/hook', timeoutMs: 0 })).toBe('notification.webhook.timeoutMs');
    expect(key({ url: 'https://example.com/hook', secret: '' })).toBe('notification.webhook.secret');
    expect(key({ url: 'https://example.com/hook', headers: { 'bad header': 'x' } })).toBe(
      'notification.webhook.headers',
    );
    expect(key({ url: 'https://example.com/hook?token=query-token-123', secret })).toBeUndefined();
  });
});
