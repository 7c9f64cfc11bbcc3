import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RunRecordSchema, type RunRecord } from '@dify-logs/core';
import { describe, expect, it } from 'vitest';
import { cli, sim, tempDir } from './helpers.js';

const lines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as RunRecord);

describe('dify-logs export', () => {
  it('writes one RunRecord per line with an app key, from the original environment variables', async () => {
    const simulator = await sim();
    const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
    const dir = await tempDir();
    const result = await cli(['export', '--with-details', '--out', 'runs.ndjson', '--page-size', '7'], {
      cwd: dir,
      env: { DIFY_BASE_URL: simulator.url, DIFY_API_TOKEN: app.apiKey, DIFY_APP_ID: app.id },
    });
    expect(result.stderr).toMatch(/exported \d+ runs from 1 app/);
    expect(result.code).toBe(0);
    const records = lines(await readFile(join(dir, 'runs.ndjson'), 'utf8'));
    expect(records.length).toBeGreaterThan(40);
    for (const record of records) {
      expect(RunRecordSchema.parse(record)).toEqual(record);
      expect(record.appId).toBe(app.id);
    }
    expect(await readdir(dir)).toEqual(['runs.ndjson']);
  });

  it('exports every workflow app with node executions through the console, as one JSON array', async () => {
    const simulator = await sim({ version: '1.11.2' });
    const dir = await tempDir();
    const result = await cli([
      'export',
      '--base-url',
      simulator.url,
      '--console-email',
      simulator.account.email,
      '--console-password',
      simulator.account.password,
      '--with-node-executions',
      '--format',
      'json',
      '--out',
      join(dir, 'all.json'),
      '--concurrency',
      '4',
    ]);
    expect(result.code).toBe(0);
    const records = JSON.parse(await readFile(join(dir, 'all.json'), 'utf8')) as RunRecord[];
    const workflowApps = simulator.apps.filter((app) => app.mode === 'workflow').map((app) => app.id);
    expect(new Set(records.map((record) => record.appId))).toEqual(new Set(workflowApps));
    expect(records.every((record) => record.runId === null || (record.nodes ?? []).length > 0)).toBe(true);
    expect(result.stdout + result.stderr).not.toContain(simulator.account.password);
  });

  it('leaves no file behind and exits 1 when the export fails midway', async () => {
    const simulator = await sim({ runsPerApp: 300 });
    const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
    const dir = await tempDir();
    let listed = 0;
    simulator.setFaults({ rate5xx: 0 });
    const pending = cli([
      'export',
      '--base-url',
      simulator.url,
      '--api-key',
      app.apiKey,
      '--page-size',
      '10',
      '--retries',
      '1',
      '--out',
      join(dir, 'runs.ndjson'),
      '--log-level',
      'silent',
    ]);
    const timer = setInterval(() => {
      listed = simulator.stats().byRoute['GET /v1/workflows/logs'] ?? 0;
      if (listed >= 3) simulator.setFaults({ rate5xx: 1 });
    }, 1);
    const result = await pending;
    clearInterval(timer);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/failed \[unknown\]: GET \/v1\/workflows\/logs answered HTTP 500/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('answers usage errors with one line and exit code 2, writing nothing', async () => {
    const dir = await tempDir();
    const cases: Array<[string[], RegExp]> = [
      [['export', '--out', 'x.ndjson', '--api-key', 'app-1'], /missing --base-url/],
      [['export', '--base-url', 'http://127.0.0.1:9', '--out', 'x.ndjson'], /no credentials/],
      [['export', '--base-url', 'http://127.0.0.1:9', '--api-key', 'app-1'], /missing --out/],
      [
        ['export', '--base-url', 'http://127.0.0.1:9', '--api-key', 'app-1', '--out', 'x', '--format', 'xml'],
        /--format must be ndjson or json/,
      ],
      [
        ['export', '--base-url', 'http://127.0.0.1:9', '--api-key', 'app-1', '--out', 'x', '--page-size', '500'],
        /--page-size must be a whole number from 1 to 100/,
      ],
      [
        ['export', '--base-url', 'http://127.0.0.1:9', '--api-key', 'app-1', '--out', 'x', '--with-node-executions'],
        /needs console access/,
      ],
      [
        [
          'export',
          '--base-url',
          'http://127.0.0.1:9',
          '--api-key',
          'app-1',
          '--out',
          'x',
          '--status',
          'partial-succeeded',
        ],
        /status: must be one of succeeded, failed, stopped/,
      ],
      [
        [
          'export',
          '--base-url',
          'http://127.0.0.1:9',
          '--api-key',
          'app-1',
          '--out',
          'x',
          '--created-after',
          'yesterday',
        ],
        /--created-after is not an ISO-8601 date/,
      ],
      [['export', '--base-url', 'ftp://x', '--api-key', 'app-1', '--out', 'x'], /baseUrl: must be http/],
      [
        ['export', '--base-url', 'http://127.0.0.1:9', '--console-email', 'a@b.c', '--out', 'x'],
        /missing --console-password/,
      ],
      [['export', '--bogus'], /unknown option '--bogus'/],
    ];
    for (const [argv, message] of cases) {
      const result = await cli(argv, { cwd: dir });
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr, argv.join(' ')).toMatch(message);
    }
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('dify-logs probe', () => {
  it('prints the release and the reach, as text and as JSON', async () => {
    const simulator = await sim({ version: '1.9.1' });
    const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
    const text = await cli(['probe', '--base-url', simulator.url, '--api-key', app.apiKey]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/release 1\.9\.1/);
    expect(text.stdout).toMatch(/reach: run level only/);
    const json = await cli([
      'probe',
      '--json',
      '--base-url',
      simulator.url,
      '--console-email',
      simulator.account.email,
      '--console-password',
      simulator.account.password,
    ]);
    expect(JSON.parse(json.stdout)).toMatchObject({ serverVersion: '1.9.1', level: 'node' });
  });

  it('exits 1 and lists the problem when the credentials reach nothing', async () => {
    const simulator = await sim();
    const result = await cli(['probe', '--base-url', simulator.url, '--api-key', 'app-not-a-key']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/problem: .*Access token is invalid/);
  });
});

describe('secrets in output', () => {
  it('never prints the API key or the console password, even at trace level', async () => {
    const simulator = await sim({ version: '1.11.2' });
    const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
    const dir = await tempDir();
    const result = await cli(
      [
        'export',
        '--with-details',
        '--with-node-executions',
        '--log-level',
        'trace',
        '--max-pages',
        '1',
        '--out',
        join(dir, 'runs.ndjson'),
      ],
      {
        env: {
          DIFY_BASE_URL: simulator.url,
          DIFY_API_TOKEN: app.apiKey,
          DIFY_APP_ID: app.id,
          DIFY_CONSOLE_EMAIL: simulator.account.email,
          DIFY_CONSOLE_PASSWORD: simulator.account.password,
        },
      },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('"level":');
    const written = result.stdout + result.stderr + (await readFile(join(dir, 'runs.ndjson'), 'utf8'));
    for (const secret of [
      app.apiKey,
      simulator.account.password,
      Buffer.from(simulator.account.password).toString('base64'),
    ]) {
      expect(written).not.toContain(secret);
    }
  });
});
