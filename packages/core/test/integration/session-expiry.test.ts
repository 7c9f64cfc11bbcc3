import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorOptions } from '@dify-logs/dify-sim';
import { DifyAuthError } from '../../src/index.js';
import { collect, consoleClient, exportRuns, sim, workflowApp } from './helpers.js';

/**
 * Access tokens that expire every N requests while 16 or 64 requests are in flight: every in-flight request is refused
 * at once, one renewal serves them all, and the export is the same as one whose session never expired.
 */
const openssl = ['/usr/bin/openssl', '/usr/local/bin/openssl'].find((path) => existsSync(path));
/**
 * A self-signed certificate for `localhost`, made for this file; its client trusts it through
 * NODE_TLS_REJECT_UNAUTHORIZED.
 */
const tls: { key?: string; cert?: string } = {};
const trust = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
beforeAll(() => {
  if (!openssl) return;
  const folder = mkdtempSync(join(tmpdir(), 'sim-tls-'));
  execFileSync(
    openssl,
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(folder, 'key.pem'),
      '-out',
      join(folder, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
    ],
    { stdio: 'ignore' },
  );
  tls.key = readFileSync(join(folder, 'key.pem'), 'utf8');
  tls.cert = readFileSync(join(folder, 'cert.pem'), 'utf8');
  rmSync(folder, { recursive: true, force: true });
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
});
afterAll(() => {
  if (trust === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = trust;
});

const GENERATIONS: Array<{ name: string; options: () => SimulatorOptions; skip?: string }> = [
  { name: '1.9.1 (tokens in the body)', options: () => ({ version: '1.9.1' }) },
  { name: '1.13.3 (cookies + CSRF)', options: () => ({ version: '1.13.3' }) },
  {
    name: '1.13.3 (__Host- cookies over HTTPS)',
    options: () => ({ version: '1.13.3', hostPrefixCookies: true, tls: { key: tls.key!, cert: tls.cert! } }),
    ...(openssl ? {} : { skip: 'no openssl to make a certificate' }),
  },
];
const RUNS = 2_000;
const DATA_ROUTES = /workflow-app-logs|workflow-runs/;

function consoleDataRequests(byRoute: Record<string, number>): number {
  return Object.entries(byRoute).reduce((sum, [route, count]) => sum + (DATA_ROUTES.test(route) ? count : 0), 0);
}

describe('console sessions that expire mid-export', () => {
  for (const generation of GENERATIONS) {
    describe(generation.name, () => {
      it.skipIf(generation.skip !== undefined)(
        `exports ${RUNS} runs identically at concurrency 16 and 64 with tokens expiring every ` +
          `15, 25 and 100 requests${generation.skip ? ` (skipped: ${generation.skip})` : ''}`,
        async () => {
          const base = { ...generation.options(), runsPerApp: RUNS, runningRuns: 0 };
          const reference = await sim(base);
          const appId = workflowApp(reference).id;
          const exportOptions = { appId, withDetails: true, withNodeExecutions: true, limit: 100 };
          const expected = await collect(exportRuns(consoleClient(reference), { ...exportOptions, concurrency: 16 }));
          expect(expected).toHaveLength(RUNS);
          const needed = consoleDataRequests(reference.stats().byRoute);
          await reference.close();

          for (const concurrency of [16, 64]) {
            for (const uses of [15, 25, 100]) {
              const simulator = await sim({ ...base, accessTokenTtlRequests: uses });
              const records = await collect(exportRuns(consoleClient(simulator), { ...exportOptions, concurrency }));
              const stats = simulator.stats();
              const label = `concurrency ${concurrency}, ${uses} requests per token`;
              expect(records.length, label).toBe(RUNS);
              expect(
                records.filter((record) => record.enrichmentError !== null),
                label,
              ).toEqual([]);
              expect(records, label).toEqual(expected);
              expect(stats.failedLogins, label).toBe(0);
              expect(stats.logins, label).toBe(1);
              // One renewal per exhausted token: every token serves `uses` requests before the next refresh.
              expect(stats.refreshes, label).toBeGreaterThanOrEqual(Math.floor(needed / uses) - 1);
              expect(stats.refreshes, label).toBeLessThanOrEqual(Math.ceil(needed / uses));
              await simulator.close();
            }
          }
        },
        240_000,
      );
    });
  }

  it('renews on demand when a long-lived client comes back after its token expired by time', async () => {
    const simulator = await sim({ version: '1.13.3', accessTokenTtlSeconds: 1 });
    const client = consoleClient(simulator, { appId: workflowApp(simulator).id });
    await client.logPage({ limit: 5 });
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const pages = await Promise.all(Array.from({ length: 16 }, () => client.logPage({ limit: 5 })));
    expect(pages.every((page) => page.data.length === 5)).toBe(true);
    expect(simulator.stats()).toMatchObject({ logins: 1, refreshes: 1, failedLogins: 0 });
  });

  it('declares the session dead when a renewed session is refused on its first request', async () => {
    const simulator = await sim({ version: '1.13.3', accessTokenTtlRequests: 1 });
    // A token that serves one request: the first request after each renewal is accepted, so exports still finish...
    const client = consoleClient(simulator, { appId: workflowApp(simulator).id });
    const records = await collect(exportRuns(client, { withDetails: true, maxPages: 1, limit: 10, concurrency: 4 }));
    expect(records).toHaveLength(10);
    // ...but a session refused on its first use (here: every token is refused) is fatal after one renewal, not looped
    // on.
    const broken = await sim({ version: '1.13.3', accessTokenTtlRequests: 0 });
    const error = await consoleClient(broken, { appId: workflowApp(broken).id })
      .logPage({ limit: 1 })
      .catch((caught: unknown) => caught);
    expect(DifyAuthError.isInstance(error) && error.code).toBe('session_expired');
    expect((error as Error).message).toMatch(/refused on its first request right after renewing/);
    expect(broken.stats()).toMatchObject({ logins: 1, refreshes: 1, failedLogins: 0 });
  });
});
