import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { cli, sim, tempDir, writeWorkspaceConfig } from './helpers.js';
import { dropTables, PG_URL, postgresReason } from './postgres.js';

describe('dify-logs run with chat apps and the PostgreSQL sink', () => {
  it(
    'writes every message of the window once, joinable ' + 'to the chatflow runs, and again without duplicates',
    async (context) => {
      const reason = await postgresReason();
      if (reason) return context.skip(reason);
      const simulator = await sim({
        runsPerApp: 40,
        runningRuns: 0,
        now: new Date(Date.now() - 60_000).toISOString(),
        days: 1,
      });
      const dir = await tempDir();
      const prefix = `cliwhm${randomBytes(4).toString('hex')}_`;
      await writeWorkspaceConfig(dir, simulator, {
        job: ['    outputFormat: [json]'],
        sinks: [`  postgres: { databaseUrl: "${PG_URL}", tablePrefix: ${prefix} }`],
      });
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        const run = await cli(['run', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
        expect(run.code, run.stderr + run.stdout).toBe(0);
        const archived = Number(/messages (\d+) messages in/.exec(run.stdout)?.[1]);
        expect(archived).toBeGreaterThan(20);
        const counts = async () =>
          (
            await client.query<{ messages: string; joined: string; distinct: string }>(
              `SELECT (SELECT count(*) FROM "${prefix}messages") AS messages,
              (SELECT count(DISTINCT message_id) FROM "${prefix}messages") AS distinct,
              (SELECT count(*) FROM "${prefix}messages" m JOIN "${prefix}runs" r ON r.run_id = m.workflow_run_id) AS \
joined`,
            )
          ).rows[0]!;
        const once = await counts();
        expect(Number(once.messages)).toBe(archived);
        expect(once.distinct).toBe(once.messages);
        // Chatflow messages carry their run: a BI tool joins messages, feedback and runs.
        expect(Number(once.joined)).toBe(archived);
        const again = await cli(['run', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
        expect(again.code, again.stderr).toBe(0);
        expect(await counts()).toEqual(once);
      } finally {
        await client.end();
        await dropTables(prefix);
      }
    },
  );
});
