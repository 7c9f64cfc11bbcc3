import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '@dify-logs/notifier-webhook';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, sim, tempDir } from './helpers.js';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Array<{ close(): void }> = [];
afterEach(() => servers.splice(0).forEach((server) => server.close()));

/** A local receiver answering each path the way the vendor does (WeCom: errcode 0; the generic webhook: 204). */
async function receiver(): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (request.url?.startsWith('/cgi-bin/webhook/send')) {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
      } else response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

describe('notifications configured by environment variables alone', () => {
  it('notify test sends one signed sample message through the generic webhook', async () => {
    const { url, received } = await receiver();
    const dir = await tempDir();
    const env = {
      DIFY_BASE_URL: 'http://127.0.0.1:9',
      DIFY_API_TOKEN: 'app-x',
      DIFY_APP_ID: 'a',
      NOTIFY_WEBHOOK_URL: `${url}/hooks/dify`,
      NOTIFY_WEBHOOK_SECRET: 'hook-secret-123',
    };
    const result = await cli(['notify', 'test', '--channel', 'webhook'], { env, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('webhook: delivered');
    expect(received).toHaveLength(1);
    const [message] = received;
    const timestamp = String(message!.headers['x-dify-logs-timestamp']);
    const signature = String(message!.headers['x-dify-logs-signature']);
    expect(verifyWebhookSignature({ secret: 'hook-secret-123', timestamp, signature, body: message!.body })).toBe(true);
    expect(JSON.parse(message!.body)).toMatchObject({ message: { title: 'dify-logs test message' } });
  });

  it(
    'dify-logs run notifies WeCom (NOTIFICATION_TYPE=wechat, ' + 'the original name) and the webhook with the report',
    async () => {
      const { url, received } = await receiver();
      const simulator = await sim({
        runsPerApp: 30,
        runningRuns: 0,
        now: new Date(Date.now() - 60_000).toISOString(),
        days: 0.5,
      });
      const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
      const dir = await tempDir();
      const env = {
        DIFY_BASE_URL: simulator.url,
        DIFY_API_TOKEN: app.apiKey,
        DIFY_APP_ID: app.id,
        OUTPUT_BASE_DIR: 'outputs',
        NOTIFICATION_ENABLED: 'true',
        NOTIFICATION_TYPE: 'wechat,webhook',
        WECOM_WEBHOOK: `${url}/cgi-bin/webhook/send?key=wecom-key-123`,
        NOTIFY_WEBHOOK_URL: `${url}/hooks/dify`,
        LOG_LEVEL: 'warn',
      };
      const result = await cli(['run'], { env, cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/notify   wecom: delivered/);
      expect(result.stdout).toMatch(/notify   webhook: delivered/);
      const wecom = received.find((entry) => entry.path.startsWith('/cgi-bin/webhook/send'))!;
      expect(JSON.parse(wecom.body)).toMatchObject({
        msgtype: 'markdown',
        markdown: { content: expect.stringContaining('30 runs') },
      });
      expect(result.stdout + result.stderr).not.toContain('wecom-key-123');
    },
  );

  it('names the missing variable when a channel is enabled without its settings', async () => {
    const dir = await tempDir();
    const env = {
      DIFY_BASE_URL: 'http://127.0.0.1:9',
      DIFY_API_TOKEN: 'app-x',
      DIFY_APP_ID: 'a',
      NOTIFICATION_ENABLED: 'true',
      NOTIFICATION_TYPE: 'dingtalk',
    };
    const result = await cli(['run'], { env, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /notification\.dingtalk: is required when notification\.type includes dingtalk \(or set DINGTALK_WEBHOOK\)/,
    );
  });
});
