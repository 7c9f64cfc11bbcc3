import { describe, expect, it } from 'vitest';
import { DifyAuthError, createDifyClient } from '../../src/index.js';
import { collect, consoleClient, exportRuns, quickRetry, sim, workflowApp } from './helpers.js';

const PERSONALITIES = ['1.9.1', '1.11.2', '1.13.3'] as const;

describe.each(PERSONALITIES)('console login on Dify %s', (version) => {
  it(
    'logs in once, exports with node executions sorted by ' + 'index, and refreshes after expiry without a new login',
    async () => {
      const simulator = await sim({ version });
      const client = consoleClient(simulator);
      const app = workflowApp(simulator);
      const first = await collect(
        exportRuns(client, {
          appId: app.id,
          withDetails: true,
          withNodeExecutions: true,
          concurrency: 8,
          maxPages: 1,
          limit: 20,
        }),
      );
      expect(first).toHaveLength(20);
      for (const record of first) {
        expect(record.enrichmentError).toBeNull();
        expect(record.nodes!.length).toBeGreaterThan(0);
        const indexes = record.nodes!.map((node) => node.index);
        expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
      }
      expect(simulator.stats().logins).toBe(1);
      expect(simulator.stats().failedLogins).toBe(0);

      simulator.expireAccessTokens();
      const second = await collect(
        exportRuns(client, { appId: app.id, withNodeExecutions: true, concurrency: 8, maxPages: 1, limit: 20 }),
      );
      expect(second.every((record) => record.enrichmentError === null)).toBe(true);
      expect(simulator.stats().refreshes).toBe(1);
      expect(simulator.stats().logins).toBe(1);
    },
  );

  it('asks the release before logging in and never repeats a refused login', async () => {
    const simulator = await sim({ version });
    const client = createDifyClient({
      baseUrl: simulator.url,
      console: { email: simulator.account.email, password: 'wrong' },
      appId: workflowApp(simulator).id,
      retry: quickRetry,
    });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const error = await client.logPage().catch((caught: unknown) => caught);
      expect(DifyAuthError.isInstance(error)).toBe(true);
      expect((error as DifyAuthError).code).toBe('invalid_credentials');
    }
    expect(simulator.stats().failedLogins).toBe(1);
    expect(simulator.stats().byRoute['GET /v1/']).toBe(1);
  });

  it('lists the apps of the workspace and probes node-level reach', async () => {
    const simulator = await sim({ version });
    const client = consoleClient(simulator);
    const apps: string[] = [];
    for await (const app of client.apps()) apps.push(app.id);
    expect(apps.sort()).toEqual(simulator.apps.map((app) => app.id).sort());
    const probe = await client.probe();
    expect(probe.serverVersion).toBe(version);
    expect(probe.level).toBe('node');
    expect(probe.problems).toEqual([]);
  });
});

describe('console session details', () => {
  it('mirrors __Host- cookie names and renews once for many parallel requests', async () => {
    const simulator = await sim({ version: '1.13.3', hostPrefixCookies: true });
    const client = consoleClient(simulator);
    const app = workflowApp(simulator);
    await client.logPage({ appId: app.id, limit: 1 });
    simulator.expireAccessTokens();
    const records = await collect(
      exportRuns(client, { appId: app.id, withNodeExecutions: true, concurrency: 16, maxPages: 1, limit: 40 }),
    );
    expect(records.every((record) => record.enrichmentError === null)).toBe(true);
    expect(simulator.stats().refreshes + simulator.stats().logins).toBeLessThanOrEqual(2);
  });

  it(
    'falls back to Base64 when the release is unknown ' + 'and the server asks for it, without a failed login',
    async () => {
      const simulator = await sim({ version: '1.13.3' });
      const client = consoleClient(simulator, { serverVersion: '1.0.0', appId: workflowApp(simulator).id });
      await client.logPage({ limit: 1 });
      expect(simulator.stats().logins).toBe(1);
      expect(simulator.stats().failedLogins).toBe(0);
    },
  );

  it('reads node executions with the admin key without logging in', async () => {
    const simulator = await sim({ version: '1.13.3', adminApiKey: 'admin-secret-key' });
    const app = workflowApp(simulator);
    const client = createDifyClient({
      baseUrl: simulator.url,
      admin: { apiKey: 'admin-secret-key', workspaceId: simulator.workspaceId },
      retry: quickRetry,
    });
    const records = await collect(
      exportRuns(client, { appId: app.id, withNodeExecutions: true, maxPages: 1, limit: 10 }),
    );
    expect(records).toHaveLength(10);
    expect(records.every((record) => record.nodes && record.nodes.length > 0)).toBe(true);
    expect(simulator.stats().logins).toBe(0);
  });

  it(
    'combines an app key for logs with console access for ' + 'nodes and reports run-level reach for the key alone',
    async () => {
      const simulator = await sim({ version: '1.11.2' });
      const app = workflowApp(simulator);
      const both = createDifyClient({
        baseUrl: simulator.url,
        apiKey: app.apiKey,
        appId: app.id,
        console: { ...simulator.account },
        retry: quickRetry,
      });
      const records = await collect(
        exportRuns(both, { withDetails: true, withNodeExecutions: true, maxPages: 1, limit: 5 }),
      );
      expect(records.every((record) => record.inputs !== null && record.nodes !== null)).toBe(true);
      expect(simulator.stats().byRoute['GET /v1/workflows/logs']).toBe(1);
      const keyOnly = createDifyClient({ baseUrl: simulator.url, apiKey: app.apiKey, retry: quickRetry });
      const probe = await keyOnly.probe();
      expect(probe.level).toBe('run');
      expect(probe.tiers).toEqual({ runLogs: true, runDetail: true, nodeExecutions: false });
    },
  );

  it('logs out on close when asked (logoutOnClose) and keeps credentials out of error messages', async () => {
    const simulator = await sim({ version: '1.13.3' });
    const client = consoleClient(simulator, {
      appId: workflowApp(simulator).id,
      console: { ...simulator.account, logoutOnClose: true },
    });
    await client.logPage({ limit: 1 });
    await client.close();
    expect(simulator.stats().byRoute['POST /console/api/logout']).toBe(1);
    expect(client.scrub(`pw=${simulator.account.password}`)).toBe('pw=[redacted]');
  });
});
