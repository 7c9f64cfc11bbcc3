import { randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { cli, sim, tempDir } from './helpers.js';
import { PG_URL, postgresReason } from './postgres.js';

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String);
}

describe('dify-logs run with analytics outputs', () => {
  it(
    'writes Parquet reports and Parquet archive copies, ' + 'and upserts the rows into PostgreSQL once per run id',
    async (context) => {
      const reason = await postgresReason();
      if (reason) return context.skip(reason);
      const simulator = await sim({
        runsPerApp: 40,
        runningRuns: 0,
        now: new Date(Date.now() - 60_000).toISOString(),
        days: 1,
      });
      const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
      const dir = await tempDir();
      const prefix = `cliwh${randomBytes(4).toString('hex')}_`;
      await writeFile(
        join(dir, 'dify-logs.yaml'),
        [
          'dify:',
          `  baseUrl: ${simulator.url}`,
          `  apiKey: ${app.apiKey}`,
          `  appId: ${app.id}`,
          `  console: { email: ${simulator.account.email}, password: ${simulator.account.password} }`,
          'jobs:',
          '  - name: daily',
          '    window: { mode: explicit, from: "{{yesterday}}", to: "{{tomorrow}}" }',
          '    outputFormat: [json, parquet]',
          '    withNodeExecutions: true',
          'storage: { baseDir: ./outputs, archiveFormats: [parquet] }',
          'sinks:',
          `  postgres: { databaseUrl: "${PG_URL}", tablePrefix: ${prefix} }`,
          'logging: { level: warn }',
          '',
        ].join('\n'),
      );
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        const first = await cli(['run', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
        expect(first.code, first.stderr + first.stdout).toBe(0);
        const files = await filesUnder(join(dir, 'outputs'));
        expect(files.some((file) => file.endsWith('.runs.parquet'))).toBe(true);
        expect(files.some((file) => file.endsWith('.nodes.parquet'))).toBe(true);
        expect(files.some((file) => /\.part-\d+\.parquet$/.test(file))).toBe(true);
        const count = async () =>
          (
            await client.query<{ runs: string; nodes: string }>(
              `SELECT (SELECT count(*) FROM "${prefix}runs") AS runs, ` +
                `(SELECT count(*) FROM "${prefix}node_executions") AS nodes`,
            )
          ).rows[0]!;
        const once = await count();
        expect(Number(once.runs)).toBeGreaterThan(5);
        expect(Number(once.nodes)).toBeGreaterThan(Number(once.runs));
        const again = await cli(['run', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
        expect(again.code, again.stderr).toBe(0);
        expect(await count()).toEqual(once);
      } finally {
        const { rows } = await client.query<{ tablename: string }>(
          'SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE $1',
          [`${prefix}%`],
        );
        for (const row of rows) await client.query(`DROP TABLE IF EXISTS "${row.tablename}" CASCADE`);
        await client.end();
      }
    },
    60_000,
  );
});
