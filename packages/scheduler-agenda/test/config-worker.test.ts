import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeSources, loadConfig } from '@dify-logs/core';
import { plugin } from '../src/plugin.js';

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dify-logs-config-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const base = { DIFY_BASE_URL: 'https://dify.example.com', DIFY_API_TOKEN: 'app-token', DIFY_APP_ID: 'app-1' };

describe('worker configuration', () => {
  it('has safe defaults: local only, no database, dashboard off', async () => {
    const { config } = await loadConfig({ plugins: [plugin], cwd: workspace({}), env: base });
    expect(config.worker).toEqual({
      host: '127.0.0.1',
      port: 9464,
      concurrency: 2,
      lockLifetimeSeconds: 600,
      processEverySeconds: 5,
      drainSeconds: 60,
      metricsAuth: false,
    });
  });

  it(
    'takes the database from MONGODB_URL or ' + 'DIFY_LOGS_DATABASE_URL (which wins), and treats it as a secret',
    async () => {
      const mongo = await loadConfig({
        plugins: [plugin],
        cwd: workspace({}),
        env: { ...base, MONGODB_URL: 'mongodb://u:mongo-pass@db/dify' },
      });
      expect(mongo.config.worker!.databaseUrl).toBe('mongodb://u:mongo-pass@db/dify');
      const both = await loadConfig({
        plugins: [plugin],
        cwd: workspace({}),
        env: { ...base, MONGODB_URL: 'mongodb://db/dify', DIFY_LOGS_DATABASE_URL: 'postgres://u:pg-pass@db/dify' },
      });
      expect(both.config.worker!.databaseUrl).toBe('postgres://u:pg-pass@db/dify');
      expect(both.secrets).toContain('postgres://u:pg-pass@db/dify');
      expect(describeSources(both).join('\n')).not.toContain('pg-pass');
    },
  );

  it('reads the dashboard credentials and port from the environment', async () => {
    const { config } = await loadConfig({
      plugins: [plugin],
      cwd: workspace({}),
      env: { ...base, WORKER_PORT: '9100', DASHBOARD_USERNAME: 'ops', DASHBOARD_PASSWORD: 'pw' },
    });
    expect(config.worker!.port).toBe(9100);
    expect(config.worker!.dashboard).toEqual({ username: 'ops', password: 'pw' });
  });

  it('names the key of half-given dashboard credentials', async () => {
    await expect(
      loadConfig({
        plugins: [plugin],
        cwd: workspace({ 'c.yaml': 'worker: { dashboard: { username: ops } }\n' }),
        file: 'c.yaml',
        env: base,
      }),
    ).rejects.toThrow(/worker\.dashboard: needs `username` and `password`, or `token`/);
    await expect(
      loadConfig({
        plugins: [plugin],
        cwd: workspace({ 'c.yaml': 'worker: { port: 70000 }\n' }),
        file: 'c.yaml',
        env: base,
      }),
    ).rejects.toThrow(/worker\.port/);
  });
});
