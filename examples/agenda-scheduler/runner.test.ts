import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(root, 'node_modules/.bin/tsx');
const script = fileURLToPath(new URL('./index.ts', import.meta.url));
const PG_URL = process.env.PG_URL ?? 'postgres://root@127.0.0.1:5432/test';
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function run(env: Record<string, string>) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(MONGODB_URL|DATABASE_URL|DIFY_|DINGTALK_|SMTP_|STORAGE_TYPE)/.test(key),
    ),
  );
  const child = spawn(tsx, ['--conditions=dev-source', script], {
    cwd: root,
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function files(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true }).map(String);
  } catch {
    return [];
  }
}

describe('examples/agenda-scheduler', () => {
  it('without a database says what to set and exits 2', async () => {
    const runner = run({});
    expect(await runner.exited).toBe(2);
    expect(runner.err()).toMatch(/MONGODB_URL=mongodb:\/\//);
    expect(runner.err()).toMatch(/dify-logs schedule start/);
    expect(runner.err()).not.toMatch(/at .*\.ts:\d+/);
  }, 60_000);

  it(
    'DEMO=1 on PostgreSQL: runs the deployments, stores ' + 'reports, serves health and metrics, stops on SIGTERM',
    async (context) => {
      const probe = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
      try {
        await probe.connect();
        await probe.end();
      } catch (error) {
        return context.skip(`PostgreSQL at ${PG_URL} does not answer (${(error as Error).message})`);
      }
      const out = mkdtempSync(join(tmpdir(), 'dify-logs-example-'));
      dirs.push(out);
      const prefix = `ex${randomBytes(4).toString('hex')}_`;
      const port = await freePort();
      const runner = run({
        DEMO: '1',
        DATABASE_URL: PG_URL,
        DATABASE_PREFIX: prefix,
        OUTPUT_BASE_DIR: out,
        WORKER_PORT: String(port),
      });
      try {
        const deadline = Date.now() + 40_000;
        while (
          !files(out).some((file) => file.endsWith('.md')) &&
          Date.now() < deadline &&
          runner.child.exitCode === null
        )
          await new Promise((resolve) => setTimeout(resolve, 250));
        expect(
          files(out).some((file) => file.endsWith('.md')),
          runner.out() + runner.err(),
        ).toBe(true);
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
        // Both demo deployments run every few seconds; the first report file can come from either, so wait for the
        // daily one's metric.
        const daily = /dify_logs_pipeline_runs_total\{[^}]*deployment="daily-report"/;
        let metrics = '';
        while (Date.now() < deadline) {
          metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          if (daily.test(metrics)) break;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        expect(metrics).toMatch(daily);
        runner.child.kill('SIGTERM');
        expect(await runner.exited).toBe(0);
        expect(runner.out()).toMatch(/stopped/);
      } finally {
        if (runner.child.exitCode === null) runner.child.kill('SIGKILL');
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        const { rows } = await client.query<{ tablename: string }>(
          'SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE $1',
          [`${prefix}%`],
        );
        for (const row of rows) await client.query(`DROP TABLE IF EXISTS "${row.tablename}" CASCADE`);
        await client.end();
      }
    },
    90_000,
  );
});
