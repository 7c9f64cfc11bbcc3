import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, sim, tempDir } from './helpers.js';

describe('dify-logs schedule', () => {
  it('runs deployments on their ticks, records them, lists next ticks, and triggers one on demand', async () => {
    const simulator = await sim({
      runsPerApp: 20,
      runningRuns: 0,
      now: new Date(Date.now() - 60_000).toISOString(),
      days: 1,
    });
    const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
    const dir = await tempDir();
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
        '  - { name: every-second, job: live, schedule: "* * * * * *", retries: 0 }',
        '  - { name: daily-report, job: daily, schedule: "0 2 * * *", timezone: ' +
          'Asia/Shanghai, parameters: { from: "{{yesterday}}", to: "{{today}}" } }',
        'storage: { baseDir: ./outputs }',
        'logging: { level: warn }',
        '',
      ].join('\n'),
    );
    const started = await cli(
      ['schedule', 'start', '--config', 'dify-logs.yaml', '--for-seconds', '3', '--drain-seconds', '10'],
      { cwd: dir, env: {} },
    );
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toMatch(/scheduling every-second \(\* \* \* \* \* \*/);
    expect((started.stdout.match(/^every-second .*: succeeded/gm) ?? []).length).toBeGreaterThanOrEqual(2);

    const runs = await cli(['schedule', 'runs', '--config', 'dify-logs.yaml', '--deployment', 'every-second'], {
      cwd: dir,
      env: {},
    });
    expect((runs.stdout.match(/every-second\s+succeeded\s+schedule/g) ?? []).length).toBeGreaterThanOrEqual(2);

    const list = await cli(['schedule', 'list', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
    expect(list.stdout).toMatch(
      /^daily-report {2}job daily {2}0 2 \* \* \* Asia\/Shanghai {2}next \d{4}-\d{2}-\d{2}T18:00:00\.000Z/m,
    );

    const triggered = await cli(['schedule', 'trigger', 'daily-report', '--config', 'dify-logs.yaml'], {
      cwd: dir,
      env: {},
    });
    expect(triggered.code, triggered.stderr).toBe(0);
    expect(triggered.stdout).toMatch(/^daily-report .*: succeeded \(\d+ runs\)/m);
    const history = await cli(['schedule', 'runs', '--config', 'dify-logs.yaml', '--deployment', 'daily-report'], {
      cwd: dir,
      env: {},
    });
    expect(history.stdout).toMatch(/daily-report\s+succeeded\s+manual/);
  }, 30_000);

  it('names the key of a deployment whose job does not exist', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'c.yaml'),
      'dify: { baseUrl: "http://127.0.0.1:9", apiKey: app-x, appId: a }\n' +
        'deployments:\n  - { name: d, job: nope, schedule: "0 2 * * *" }\n',
    );
    const result = await cli(['schedule', 'list', '--config', 'c.yaml'], { cwd: dir, env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/deployments\.0\.job: no job named "nope"/);
  });
});
