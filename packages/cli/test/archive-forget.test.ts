import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeParquetPart } from '@dify-logs/parquet';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { cli, sim, tempDir } from './helpers.js';
import { dropTables, PG_URL, postgresReason } from './postgres.js';

/** Every archived run, read straight from the files: the gzip NDJSON parts and, separately, their Parquet copies. */
async function archived(dir: string): Promise<{ ndjson: string[]; parquet: string[] }> {
  const root = join(dir, 'outputs', 'data', 'archive');
  const files = (await readdir(root, { recursive: true })).map(String);
  const ndjson: string[] = [];
  const parquet: string[] = [];
  for (const file of files.filter((name) => /\.(gz|parquet)$/.test(name))) {
    const bytes = await readFile(join(root, file));
    if (file.endsWith('.ndjson.gz'))
      for (const line of gunzipSync(bytes).toString('utf8').split('\n')) if (line) ndjson.push(line);
    if (file.endsWith('.parquet'))
      for await (const record of decodeParquetPart(bytes, file)) parquet.push(JSON.stringify(record));
  }
  return { ndjson, parquet };
}

describe('dify-logs archive forget (archive with Parquet copies, PostgreSQL sink)', () => {
  it(
    "counts in a dry run, then removes one end user's runs from the parts, " + 'the copies and the sink; verify passes',
    async (context) => {
      const reason = await postgresReason();
      if (reason) return context.skip(reason);
      const simulator = await sim({
        runsPerApp: 60,
        runningRuns: 0,
        now: new Date(Date.now() - 60_000).toISOString(),
        days: 1,
      });
      const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
      const dir = await tempDir();
      const prefix = `cliforget${randomBytes(4).toString('hex')}_`;
      await writeFile(
        join(dir, 'dify-logs.yaml'),
        [
          'dify:',
          `  baseUrl: ${simulator.url}`,
          `  apiKey: ${app.apiKey}`,
          `  appId: ${app.id}`,
          'jobs:',
          '  - name: daily',
          '    window: { mode: explicit, from: "{{yesterday}}", to: "{{tomorrow}}" }',
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
        const run = await cli(['run', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
        expect(run.code, run.stderr + run.stdout).toBe(0);
        // The end user with the most runs, as the sink stored them.
        const { rows } = await client.query<{ person: string; runs: string }>(
          `SELECT end_user_session_id AS person, count(*) AS runs FROM "${prefix}runs"
         WHERE end_user_session_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
        );
        const { person } = rows[0]!;
        const theirs = Number(rows[0]!.runs);
        expect(theirs).toBeGreaterThan(0);
        const before = await archived(dir);
        const mentions = (lines: string[]) =>
          lines.filter((line) => (JSON.parse(line) as { endUserSessionId: string }).endUserSessionId === person).length;
        expect(mentions(before.ndjson)).toBe(theirs);
        expect(mentions(before.parquet)).toBe(theirs);
        const total = Number((await client.query(`SELECT count(*) AS n FROM "${prefix}runs"`)).rows[0].n);

        const dry = await cli(['archive', 'forget', '--end-user', person, '--config', 'dify-logs.yaml'], {
          cwd: dir,
          env: {},
        });
        expect(dry.code, dry.stderr).toBe(0);
        expect(dry.stdout).toMatch(/^Dry run: nothing was changed/);
        expect(dry.stdout).toContain(`${theirs} run(s) would be removed`);
        expect(dry.stdout).toMatch(
          new RegExp(`Sink postgres: ${theirs} runs, \\d+ node_executions row\\(s\\) would be deleted`),
        );
        expect(await archived(dir)).toEqual(before);

        const done = await cli(
          ['archive', 'forget', '--end-user', person, '--yes', '--json', '--config', 'dify-logs.yaml'],
          {
            cwd: dir,
            env: {},
          },
        );
        expect(done.code, done.stderr).toBe(0);
        const result = JSON.parse(done.stdout) as {
          archive: { removed: number };
          sinks: Array<{ rows: { runs: number } }>;
        };
        expect(result.archive.removed).toBe(theirs);
        expect(result.sinks[0]!.rows.runs).toBe(theirs);
        const after = await archived(dir);
        expect([mentions(after.ndjson), mentions(after.parquet)]).toEqual([0, 0]);
        expect(after.ndjson).toHaveLength(before.ndjson.length - theirs);
        expect(after.parquet).toHaveLength(before.parquet.length - theirs);
        expect(Number((await client.query(`SELECT count(*) AS n FROM "${prefix}runs"`)).rows[0].n)).toBe(
          total - theirs,
        );

        const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
        const verified = await cli(
          ['archive', 'verify', '--from', day(-3), '--to', day(1), '--config', 'dify-logs.yaml'],
          {
            cwd: dir,
            env: {},
          },
        );
        expect(verified.code, verified.stdout + verified.stderr).toBe(0);
        expect(verified.stdout).toMatch(new RegExp(`${before.ndjson.length - theirs} records: OK`));
      } finally {
        await client.end();
        await dropTables(prefix);
      }
    },
  );

  it('archive redact applies a policy turned on later to the runs archived before it, copies included', async () => {
    const planted = 'reach me at wang.fang@example-corp.cn or 13912345678';
    const simulator = await sim({
      runsPerApp: 20,
      runningRuns: 0,
      now: new Date(Date.now() - 60_000).toISOString(),
      days: 1,
      plantedText: planted,
    });
    const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
    const dir = await tempDir();
    const config = (privacy: string) =>
      writeFile(
        join(dir, 'dify-logs.yaml'),
        [
          'dify:',
          `  baseUrl: ${simulator.url}`,
          `  apiKey: ${app.apiKey}`,
          `  appId: ${app.id}`,
          'jobs:',
          '  - name: daily',
          '    window: { mode: explicit, from: "{{yesterday}}", to: "{{tomorrow}}" }',
          'storage: { baseDir: ./outputs, archiveFormats: [parquet] }',
          `privacy: ${privacy}`,
          'logging: { level: warn }',
          '',
        ].join('\n'),
      );
    await config('{ enabled: false }');
    const run = await cli(['run', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const before = await archived(dir);
    expect(before.ndjson.filter((line) => line.includes('13912345678')).length).toBe(before.ndjson.length);
    expect(before.parquet.filter((line) => line.includes('13912345678')).length).toBe(before.parquet.length);

    await config('{ action: mask }');
    const redacted = await cli(['archive', 'redact', '--yes', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
    expect(redacted.code, redacted.stderr).toBe(0);
    expect(redacted.stdout).toContain(`${before.ndjson.length} changed`);
    const after = await archived(dir);
    for (const line of [...after.ndjson, ...after.parquet]) {
      expect(line).not.toContain('13912345678');
      expect(line).not.toContain('wang.fang@example-corp.cn');
      expect(line).toContain('139****5678');
    }
    expect(after.ndjson).toHaveLength(before.ndjson.length);
    const again = await cli(['archive', 'redact', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
    expect(again.stdout).toContain('Archive: 0 of');
  });

  it('refuses a day that is not YYYY-MM-DD, naming the flag', async () => {
    const dir = await tempDir();
    const result = await cli(['archive', 'redact', '--from', 'yesterday'], { cwd: dir, env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--from is not a UTC day (YYYY-MM-DD): "yesterday"');
  });
});
