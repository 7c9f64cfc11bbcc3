import { randomBytes } from 'node:crypto';
import { RedisBackend } from '@agendajs/redis-backend';
import { Agenda } from 'agenda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPipelineMetrics,
  createWorkerServer,
  type DashboardAuth,
  type WorkerServer,
} from '../src/server/index.js';
import { dropPrefix, reachable, REDIS_URL } from './servers.js';

const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
const metrics = createPipelineMetrics({ collectDefault: false });

describe('worker server: dashboard configuration', () => {
  const agenda = {} as Agenda; // never touched: the options are refused before anything is built
  it.each([
    ['no auth', undefined],
    ['null auth', null],
    ['an empty password', { username: 'admin', password: '' }],
    ['an empty token', { token: '' }],
    ['a user name only', { username: 'admin' }],
  ])('refuses a dashboard with %s, naming worker.dashboard.auth', async (_label, auth) => {
    const error = await createWorkerServer({
      port: 0,
      metrics,
      readiness: [],
      dashboard: { agenda, auth: auth as unknown as DashboardAuth },
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'DifyConfigError', key: 'worker.dashboard.auth', code: 'invalid_config' });
    expect((error as Error).message).toMatch(/^worker\.dashboard\.auth: /);
  });
});

const redis = await reachable(REDIS_URL);

if (!redis.ok) {
  describe.skip(`worker server: Agendash dashboard on Redis (${redis.reason})`, () => it('needs Redis', () => {}));
} else {
  describe('worker server: Agendash dashboard on Redis', () => {
    const prefix = `dify-logs-test:dash${randomBytes(4).toString('hex')}:`;
    let agenda: Agenda;
    let withPassword: WorkerServer;
    let withToken: WorkerServer;

    beforeAll(async () => {
      agenda = new Agenda({
        backend: new RedisBackend({ connectionString: REDIS_URL, keyPrefix: prefix }),
        processEvery: 60_000,
      });
      await agenda.ready;
      agenda.define('dify-logs:daily', async () => {});
      await agenda.schedule(new Date(Date.now() + 3_600_000), 'dify-logs:daily', { window: 'yesterday' });
      withPassword = await createWorkerServer({
        port: 0,
        metrics,
        readiness: [],
        dashboard: { agenda, auth: { username: 'admin', password: 'correct horse' } },
      });
      withToken = await createWorkerServer({
        port: 0,
        metrics,
        readiness: [],
        dashboard: { agenda, auth: { token: 's3cr3t-token' } },
      });
    });

    afterAll(async () => {
      await withPassword?.close();
      await withToken?.close();
      await agenda?.stop(true);
      await dropPrefix(REDIS_URL, prefix);
    });

    it('answers 401 with a Basic challenge without credentials or with wrong ones', async () => {
      for (const authorization of [
        undefined,
        basic('admin', 'wrong'),
        basic('root', 'correct horse'),
        basic('admin', 'correct horse!'),
        'Bearer correct horse',
        'Basic !!!',
        'Digest x',
      ]) {
        const response = await fetch(`${withPassword.url}/dashboard/api`, {
          headers: authorization ? { authorization } : {},
        });
        expect(response.status, authorization).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Basic realm="dify-logs"');
        expect(await response.json()).toEqual({ error: 'authentication required' });
      }
    });

    it('serves the dashboard page, its assets and its API with the right Basic credentials', async () => {
      const headers = { authorization: basic('admin', 'correct horse') };
      const redirect = await fetch(`${withPassword.url}/dashboard?x=1`, { headers, redirect: 'manual' });
      expect(redirect.status).toBe(301);
      expect(redirect.headers.get('location')).toBe('/dashboard/?x=1');

      const page = await fetch(`${withPassword.url}/dashboard/`, { headers });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await page.text();
      expect(html).toContain('<title>Agendash</title>');
      const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      const asset = await fetch(`${withPassword.url}/dashboard/${script}`, { headers });
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/javascript/);

      const api = await fetch(`${withPassword.url}/dashboard/api`, { headers });
      expect(api.status).toBe(200);
      expect(api.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await api.json()) as { jobs: Array<{ job: { name: string; data: unknown } }>; total: number };
      expect(body.total).toBe(1);
      expect(body.jobs.map((entry) => entry.job.name)).toEqual(['dify-logs:daily']);
    });

    it('admits a bearer token, and the token as a Basic password (for browsers)', async () => {
      expect(
        (await fetch(`${withToken.url}/dashboard/api`, { headers: { authorization: 'Bearer s3cr3t-token' } })).status,
      ).toBe(200);
      expect(
        (await fetch(`${withToken.url}/dashboard/api`, { headers: { authorization: 'bearer   s3cr3t-token' } })).status,
      ).toBe(200);
      expect(
        (await fetch(`${withToken.url}/dashboard/`, { headers: { authorization: basic('anyone', 's3cr3t-token') } }))
          .status,
      ).toBe(200);
      for (const authorization of [
        'Bearer s3cr3t-toke',
        'Bearer s3cr3t-token-and-more',
        'Bearer ',
        basic('s3cr3t-token', 'x'),
      ]) {
        const response = await fetch(`${withToken.url}/dashboard/api`, { headers: { authorization } });
        expect(response.status, authorization).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Basic realm="dify-logs"');
      }
    });

    it('refuses cross-site state changes even with credentials, and leaves the job in place', async () => {
      const headers = {
        authorization: basic('admin', 'correct horse'),
        'content-type': 'application/x-www-form-urlencoded',
      };
      for (const extra of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }] as Array<
        Record<string, string>
      >) {
        const response = await fetch(`${withPassword.url}/dashboard/api/jobs/delete`, {
          method: 'POST',
          headers: { ...headers, ...extra },
          body: 'jobIds=x',
        });
        expect(response.status).toBe(403);
      }
      const api = await fetch(`${withPassword.url}/dashboard/api`, { headers });
      expect(((await api.json()) as { total: number }).total).toBe(1);
      const sameOrigin = await fetch(`${withPassword.url}/dashboard/api/jobs/pause`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', origin: withPassword.url },
        body: '{"jobIds":[]}',
      });
      expect(sameOrigin.status).toBe(200);
      expect(await sameOrigin.json()).toEqual({ pausedCount: 0 });
    });

    it('keeps the other endpoints open', async () => {
      expect((await fetch(`${withPassword.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${withPassword.url}/metrics`)).status).toBe(200);
    });
  });
}
