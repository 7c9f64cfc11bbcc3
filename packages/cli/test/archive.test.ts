import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, sim, tempDir } from './helpers.js';

describe('dify-logs archive verify and report --input archive://', () => {
  it('verifies the partitions a run wrote, re-reports from them without Dify, and finds a damaged part', async () => {
    const simulator = await sim({
      runsPerApp: 50,
      runningRuns: 0,
      now: new Date(Date.now() - 60_000).toISOString(),
      days: 2,
    });
    const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
    const dir = await tempDir();
    const env = {
      DIFY_BASE_URL: simulator.url,
      DIFY_API_TOKEN: app.apiKey,
      DIFY_APP_ID: app.id,
      OUTPUT_BASE_DIR: 'outputs',
      LOG_LEVEL: 'warn',
    };
    const run = await cli(['run'], { env, cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const archived = Number(/archive  (\d+) records in \d+ part\(s\)/.exec(run.stdout)?.[1]);
    expect(archived).toBeGreaterThan(10);
    const from = new Date(Date.now() - 4 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date().toISOString().slice(0, 10);

    const verified = await cli(['archive', 'verify', '--from', from, '--to', to], { env, cwd: dir });
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(new RegExp(`partition\\(s\\), \\d+ part\\(s\\), ${archived} records: OK`));

    const report = await cli(
      ['report', '--input', `archive://${from}..${to}?app=${app.id}`, '--format', 'json', '--out-dir', 'again'],
      { env, cwd: dir },
    );
    expect(report.code, report.stderr).toBe(0);
    const analysis = JSON.parse(readFileSync(report.stdout.trim(), 'utf8')) as { runs: number };
    expect(analysis.runs).toBe(archived);

    const part = readdirSync(join(dir, 'outputs', 'data', 'archive'), { recursive: true })
      .map(String)
      .find((name) => name.endsWith('.ndjson.gz'))!;
    writeFileSync(join(dir, 'outputs', 'data', 'archive', part), Buffer.from('not gzip'));
    const damaged = await cli(['archive', 'verify', '--from', from, '--to', to], { env, cwd: dir });
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toMatch(/PROBLEM/);
  });

  it(
    'archives as Parquet instead of NDJSON (storage.archiveNdjson: false): ' +
      'verified, re-reported and damage found the same way',
    async () => {
      const simulator = await sim({
        runsPerApp: 40,
        runningRuns: 0,
        now: new Date(Date.now() - 60_000).toISOString(),
        days: 2,
      });
      const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
      const dir = await tempDir();
      writeFileSync(
        join(dir, 'dify-logs.yaml'),
        [
          'dify:',
          `  baseUrl: ${simulator.url}`,
          `  apiKey: ${app.apiKey}`,
          `  appId: ${app.id}`,
          'jobs: [{ name: daily }]',
          'storage: { baseDir: ./outputs, archiveFormats: [parquet], archiveNdjson: false }',
          'logging: { level: warn }',
          '',
        ].join('\n'),
      );
      const run = await cli(['run', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
      expect(run.code, run.stderr).toBe(0);
      const archived = Number(/archive  (\d+) records in \d+ part\(s\)/.exec(run.stdout)?.[1]);
      expect(archived).toBeGreaterThan(10);
      const objects = readdirSync(join(dir, 'outputs', 'data', 'archive'), { recursive: true }).map(String);
      expect(objects.some((name) => name.endsWith('.ndjson.gz'))).toBe(false);
      const parts = objects.filter((name) => /\.part-\d+\.parquet$/.test(name));
      expect(parts.length).toBeGreaterThan(0);
      const manifest = JSON.parse(
        readFileSync(
          join(
            dir,
            'outputs',
            'data',
            'archive',
            objects.find((name) => name.endsWith('.manifest.json'))!,
          ),
          'utf8',
        ),
      ) as { parts: Array<{ format?: string; key: string }> };
      expect(manifest.parts.every((part) => part.format === 'parquet' && part.key.endsWith('.parquet'))).toBe(true);

      const from = new Date(Date.now() - 4 * 86_400_000).toISOString().slice(0, 10);
      const to = new Date().toISOString().slice(0, 10);
      const verified = await cli(['archive', 'verify', '--config', 'dify-logs.yaml', '--from', from, '--to', to], {
        cwd: dir,
        env: {},
      });
      expect(verified.code, verified.stderr).toBe(0);
      expect(verified.stdout).toMatch(new RegExp(`partition\\(s\\), \\d+ part\\(s\\), ${archived} records: OK`));

      const report = await cli(
        [
          'report',
          '--config',
          'dify-logs.yaml',
          '--input',
          `archive://${from}..${to}`,
          '--format',
          'json',
          '--out-dir',
          'again',
        ],
        { cwd: dir, env: {} },
      );
      expect(report.code, report.stderr).toBe(0);
      expect((JSON.parse(readFileSync(report.stdout.trim(), 'utf8')) as { runs: number }).runs).toBe(archived);

      writeFileSync(join(dir, 'outputs', 'data', 'archive', parts[0]!), Buffer.from('PAR1 not really'));
      const damaged = await cli(['archive', 'verify', '--config', 'dify-logs.yaml', '--from', from, '--to', to], {
        cwd: dir,
        env: {},
      });
      expect(damaged.code).toBe(1);
      expect(damaged.stdout).toMatch(/PROBLEM/);
    },
  );

  it('refuses storage.archiveNdjson: false without another archive format, naming the key', async () => {
    const dir = await tempDir();
    writeFileSync(
      join(dir, 'dify-logs.yaml'),
      'dify: { baseUrl: "http://127.0.0.1:9", apiKey: app-x }\n' +
        'jobs: [{ name: daily }]\nstorage: { archiveNdjson: false }\n',
    );
    const result = await cli(['run', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/storage\.archiveNdjson/);
  });
});
