import * as vitest from 'vitest';
// The ntfy notifier against a local server that speaks ntfy's JSON publishing (POST / with a topic, the bearer token
// checked): core's notifier conformance suite, then the plugin in a runtime that runs a job on the simulator.
import { createDifyLogs } from '@dify-logs/core';
import { testNotifier } from '@dify-logs/core/testing';
import { startSimulator } from '@dify-logs/dify-sim';
import { plugin as local } from '@dify-logs/storage-local';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNtfyNotifier, plugin } from './index.js';

interface Published {
  topic: string;
  title: string;
  message: string;
  priority: number;
  tags: string[];
}
const published: Published[] = [];
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  request.on('end', () => {
    if (request.headers.authorization !== 'Bearer tk_secret')
      return void response.writeHead(403).end('{"code":40301,"error":"forbidden"}');
    const message = JSON.parse(body) as Published;
    published.push(message);
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ id: `m${published.length}`, topic: message.topic }));
  });
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

testNotifier(vitest, {
  name: 'ntfy',
  create: () => {
    published.length = 0;
    return createNtfyNotifier({ topic: 'dify-ops', server: url, token: 'tk_secret' });
  },
  received: () => published.map((message) => `${message.title}\n${message.message}`),
});

describe('the ntfy plugin in createDifyLogs', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('a run notifies ntfy from the configuration and the NTFY_* variables', async () => {
    published.length = 0;
    const simulator = await startSimulator({ seed: 4, runsPerApp: 30, now: '2026-03-10T12:00:00Z', days: 2 });
    const cwd = mkdtempSync(join(tmpdir(), 'dify-logs-ntfy-'));
    dirs.push(cwd);
    const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
    try {
      const dify = await createDifyLogs({
        plugins: [local, plugin],
        cwd,
        env: { NTFY_SERVER: url, NTFY_TOKEN: 'tk_secret' },
        config: {
          dify: { baseUrl: simulator.url, apiKey: app.apiKey, appId: app.id },
          jobs: [
            {
              name: 'daily',
              window: { mode: 'explicit', from: '2026-03-09T00:00:00Z', to: '2026-03-10T00:00:00Z' },
              notifyOn: ['report-ready'],
            },
          ],
          notification: { enabled: true, type: ['ntfy'], ntfy: { topic: 'dify-ops' } },
          state: { type: 'memory' },
        },
      });
      const [result] = await dify.run('daily');
      await dify.close();
      expect(result?.status).toBe('succeeded');
      expect(result?.notifications).toEqual([expect.objectContaining({ notifier: 'ntfy', delivered: true })]);
      expect(published, JSON.stringify(published)).toHaveLength(1);
      expect(published[0], JSON.stringify(published[0])).toMatchObject({
        topic: 'dify-ops',
        priority: 4,
        tags: ['page_facing_up'],
      });
      expect(published[0]!.message).toMatch(/^Runs: 15$/m);
      expect(published[0]!.title).toContain('daily');
    } finally {
      await simulator.close();
    }
  });

  it('a refused token fails without showing it', async () => {
    const notifier = createNtfyNotifier({ topic: 'dify-ops', server: url, token: 'tk_wrong' });
    const error = await notifier
      .send({
        kind: 'alert',
        severity: 'warning',
        title: 't',
        summary: 's',
        facts: [],
        links: [],
        occurredAt: new Date().toISOString(),
      })
      .catch((caught: unknown) => caught as Error);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toContain('403');
    expect(String((error as Error).message)).not.toContain('tk_wrong');
  });
});
