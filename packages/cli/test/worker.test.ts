import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, sim, tempDir } from './helpers.js';
import { PG_URL, dropTables, freePort, postgresReason } from './postgres.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('dify-logs worker and runs', () => {
  it('explains what to set when there is no worker database', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'c.yaml'),
      'dify: { baseUrl: "http://127.0.0.1:9", apiKey: app-x, appId: a }\n' +
        'jobs: [{ name: live }]\ndeployments:\n  - { name: d, job: live, schedule: "0 2 * * *" }\n',
    );
    const result = await cli(['worker', '--config', 'c.yaml'], { cwd: dir, env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/worker\.databaseUrl is not set: set DIFY_LOGS_DATABASE_URL \(or MONGODB_URL\)/);
    expect(result.stderr).toMatch(/dify-logs schedule start/);
  });

  it(
    'runs deployments on PostgreSQL, serves health, metrics and ' +
      'a guarded dashboard, and keeps a queryable history with logs',
    async (context) => {
      const reason = await postgresReason();
      if (reason) return context.skip(reason);
      const simulator = await sim({
        runsPerApp: 20,
        runningRuns: 0,
        now: new Date(Date.now() - 60_000).toISOString(),
        days: 1,
      });
      const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
      const dir = await tempDir();
      const prefix = `cliw${randomBytes(4).toString('hex')}_`;
      const port = await freePort();
      await writeFile(
        join(dir, 'dify-logs.yaml'),
        [
          'dify:',
          `  baseUrl: ${simulator.url}`,
          `  apiKey: ${app.apiKey}`,
          `  appId: ${app.id}`,
          'jobs:',
          '  - name: live',
          '    window: { mode: incremental, initialFrom: "{{yesterday}}" }',
          '  - name: daily',
          '    window: { mode: explicit, from: "{{yesterday}}", to: "{{today}}" }',
          'deployments:',
          '  - { name: every-second, job: live, schedule: "* * * * * *", retries: 0, catchUp: 0 }',
          '  - { name: daily-report, job: daily, schedule: "0 2 * * *", timezone: ' +
            'Asia/Shanghai, parameters: { from: "{{yesterday}}", to: "{{today}}" } }',
          'storage: { baseDir: ./outputs }',
          'logging: { level: warn }',
          'worker:',
          `  databaseUrl: ${PG_URL}`,
          `  prefix: ${prefix}`,
          '  processEverySeconds: 0.3',
          '  dashboard: { username: ops, password: "s3cret-dashboard" }',
          '',
        ].join('\n'),
      );
      const env = { WORKER_PORT: String(port) };
      try {
        const worker = cli(['worker', '--config', 'dify-logs.yaml', '--for-seconds', '6'], { cwd: dir, env });
        const base = `http://127.0.0.1:${port}`;
        let health: Response | undefined;
        for (let tries = 0; tries < 100 && !health; tries += 1)
          health = await fetch(`${base}/healthz`).catch(async () => void (await sleep(100)));
        expect(health!.status).toBe(200);
        expect((await fetch(`${base}/readyz`)).status).toBe(200);
        await sleep(3000);
        const metrics = await (await fetch(`${base}/metrics`)).text();
        expect(metrics).toMatch(
          /dify_logs_pipeline_runs_total\{[^}]*deployment="every-second"[^}]*status="succeeded"[^}]*\} [1-9]/,
        );
        expect(metrics).toMatch(/dify_logs_dify_requests_total/);
        expect(metrics).not.toContain(app.apiKey);
        const refused = await fetch(`${base}/dashboard/`);
        expect(refused.status).toBe(401);
        const allowed = await fetch(`${base}/dashboard/api`, {
          headers: { authorization: `Basic ${Buffer.from('ops:s3cret-dashboard').toString('base64')}` },
        });
        expect(allowed.status).toBe(200);
        const finished = await worker;
        expect(finished.code, finished.stderr).toBe(0);
        expect(finished.stdout).toMatch(/^every-second .*: succeeded/m);

        const list = await cli(
          ['runs', 'list', '--config', 'dify-logs.yaml', '--deployment', 'every-second', '--json'],
          {
            cwd: dir,
            env,
          },
        );
        expect(list.code, list.stderr).toBe(0);
        const runs = list.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { id: string; status: string; trigger: string; worker: string });
        expect(
          runs.filter((run) => run.status === 'succeeded' && run.trigger === 'schedule').length,
        ).toBeGreaterThanOrEqual(2);
        const shown = await cli(
          ['runs', 'show', runs.find((run) => run.status === 'succeeded')!.id, '--config', 'dify-logs.yaml', '--logs'],
          { cwd: dir, env },
        );
        expect(shown.code, shown.stderr).toBe(0);
        expect(shown.stdout).toMatch(/^status {9}succeeded$/m);
        expect(shown.stdout).toMatch(/^log \(\d+ lines\)$/m);
        expect(shown.stdout).toMatch(/INFO /);
        expect(shown.stdout).not.toContain(app.apiKey);

        // Queue a run with no worker up, re-run it with an edited parameter, then let a worker do both.
        const queued = await cli(['runs', 'trigger', 'daily-report', '--config', 'dify-logs.yaml'], { cwd: dir, env });
        expect(queued.code, queued.stderr).toBe(0);
        const id = /queued (\S+)/.exec(queued.stdout)![1]!;
        const second = await cli(['worker', '--config', 'dify-logs.yaml', '--for-seconds', '4', '--port', '0'], {
          cwd: dir,
          env,
        });
        expect(second.code, second.stderr).toBe(0);
        const detail = await cli(['runs', 'show', id, '--config', 'dify-logs.yaml', '--json'], { cwd: dir, env });
        const { run } = JSON.parse(detail.stdout) as {
          run: { status: string; trigger: string; parameters: Record<string, unknown> };
        };
        expect(run).toMatchObject({
          status: 'succeeded',
          trigger: 'manual',
          parameters: { from: '{{yesterday}}', to: '{{today}}' },
        });
        const rerun = await cli(['runs', 'rerun', id, '--config', 'dify-logs.yaml', '--param', 'from={{last_week}}'], {
          cwd: dir,
          env,
        });
        expect(rerun.code, rerun.stderr).toBe(0);
        const rerunId = /queued (\S+)/.exec(rerun.stdout)![1]!;
        await cli(['worker', '--config', 'dify-logs.yaml', '--for-seconds', '4', '--port', '0'], { cwd: dir, env });
        const again = JSON.parse(
          (await cli(['runs', 'show', rerunId, '--config', 'dify-logs.yaml', '--json'], { cwd: dir, env })).stdout,
        ) as { run: { status: string; parameters: Record<string, unknown> } };
        expect(again.run).toMatchObject({
          status: 'succeeded',
          parameters: { from: '{{last_week}}', to: '{{today}}' },
        });
      } finally {
        await dropTables(prefix);
      }
    },
    90_000,
  );
});
