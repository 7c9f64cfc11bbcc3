import { createLocalStorage } from '@dify-logs/storage-local';
import type { StoredObject } from '@dify-logs/core/adapter-kit';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

const ENV = {
  DIFY_BASE_URL: 'http://127.0.0.1:9',
  DIFY_API_TOKEN: 'app-x',
  DIFY_APP_ID: 'a',
  OUTPUT_BASE_DIR: 'outputs',
};
const DAY = 86_400_000;

/** Reports 1, 10 and 40 days old and a data archive 3 days old, in `<dir>/outputs`. */
async function stored() {
  const dir = await tempDir();
  const storage = createLocalStorage({ baseDir: join(dir, 'outputs') });
  const ago = (days: number) => new Date(Date.now() - days * DAY);
  const report = (days: number, runId: string) =>
    storage.saveReport({
      type: 'daily',
      job: 'nightly',
      app: 'a',
      runId,
      extension: 'md',
      body: `# report ${runId}\n`,
      contentType: 'text/markdown',
      createdAt: ago(days),
    });
  const objects = {
    day1: await report(1, 'run-1'),
    day10: await report(10, 'run-10'),
    day40: await report(40, 'run-40'),
    data3: await storage.saveData({
      type: 'archive',
      job: 'nightly',
      app: 'a',
      runId: 'run-3',
      extension: 'ndjson',
      body: 'x'.repeat(3000),
      contentType: 'application/x-ndjson',
      createdAt: ago(3),
    }),
  };
  return { dir, objects };
}

const present = (object: StoredObject) => existsSync(object.location);

describe('dify-logs reports list', () => {
  it('lists the last 7 days by default, newest first, as a table', async () => {
    const { dir, objects } = await stored();
    const result = await cli(['reports', 'list'], { env: ENV, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CREATED +TYPE +SIZE +LOCATION$/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(new RegExp(`^${objects.day1.createdAt} +daily +\\d+ B +${objects.day1.location}$`));
    expect(lines[2]).toMatch(new RegExp(`^${objects.data3.createdAt} +archive +2\\.9 KiB +${objects.data3.location}$`));
  });

  it('filters by --days, --kind and --type; --json prints one StoredObject per line', async () => {
    const { dir, objects } = await stored();
    const json = await cli(['reports', 'list', '--days', '30', '--kind', 'report', '--json'], { env: ENV, cwd: dir });
    expect(json.code, json.stderr).toBe(0);
    const listed = json.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as StoredObject);
    expect(listed).toEqual([objects.day1, objects.day10]);

    const data = await cli(['reports', 'list', '--days', '100', '--type', 'archive'], { env: ENV, cwd: dir });
    expect(data.stdout).toContain(objects.data3.location);
    expect(data.stdout).not.toContain(objects.day40.location);
  });

  it('says `no reports` when nothing matches', async () => {
    const { dir } = await stored();
    const result = await cli(['reports', 'list', '--type', 'weekly'], { env: ENV, cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^no reports \(weekly\) in the last 7 days under /);
    const json = await cli(['reports', 'list', '--type', 'weekly', '--json'], { env: ENV, cwd: dir });
    expect(json.stdout).toBe('');
    expect(json.stderr).toMatch(/^no reports/);
  });

  it('usage: objects and bytes per kind and type, with a total', async () => {
    const { dir } = await stored();
    const table = await cli(['reports', 'usage'], { env: ENV, cwd: dir });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^data\s+archive\s+1\s+2\.9 KiB/m);
    expect(table.stdout).toMatch(/^report\s+daily\s+3\s+/m);
    expect(table.stdout).toMatch(/^total\s+4\s+/m);
    const json = await cli(['reports', 'usage', '--json'], { env: ENV, cwd: dir });
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; objects: number }),
    ).toEqual([
      expect.objectContaining({ kind: 'data', type: 'archive', objects: 1, bytes: 3000 }),
      expect.objectContaining({ kind: 'report', type: 'daily', objects: 3 }),
    ]);
  });

  it('refuses bad flags and unavailable storage with exit 2', async () => {
    const { dir } = await stored();
    for (const argv of [
      ['reports', 'list', '--days', '0'],
      ['reports', 'list', '--days', '1.5'],
      ['reports', 'list', '--kind', 'pdf'],
    ]) {
      const result = await cli(argv, { env: ENV, cwd: dir });
      expect(result.code, argv.join(' ')).toBe(2);
    }
    const s3 = await cli(['reports', 'list'], { env: { ...ENV, STORAGE_TYPE: 's3' }, cwd: dir });
    expect(s3.code).toBe(2);
    expect(s3.stderr).toMatch(/storage\.s3: is required with storage\.type s3/);
    const noConfig = await cli(['reports', 'list'], { env: { OUTPUT_BASE_DIR: 'outputs' }, cwd: dir });
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toMatch(/dify\.baseUrl/);
  });
});

describe('dify-logs cleanup', () => {
  it('--dry-run lists what would go and deletes nothing', async () => {
    const { dir, objects } = await stored();
    const result = await cli(['cleanup', '--days', '5', '--dry-run'], { env: ENV, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`would delete ${objects.day10.key}\nwould delete ${objects.day40.key}\n`);
    expect(result.stdout).toMatch(/dry run: 2 objects older than 5 days .* would be deleted; nothing was deleted/);
    expect(Object.values(objects).every(present)).toBe(true);
  });

  it('deletes what is older than --days within --kind/--type, and prints each key and the count', async () => {
    const { dir, objects } = await stored();
    const reports = await cli(['cleanup', '--days', '30', '--kind', 'report'], { env: ENV, cwd: dir });
    expect(reports.code, reports.stderr).toBe(0);
    expect(reports.stdout).toContain(`deleted ${objects.day40.key}\n`);
    expect(reports.stdout).toMatch(/deleted 1 object older than 30 days/);
    expect([present(objects.day1), present(objects.day10), present(objects.day40), present(objects.data3)]).toEqual([
      true,
      true,
      false,
      true,
    ]);

    const data = await cli(['cleanup', '--days', '2', '--type', 'archive'], { env: ENV, cwd: dir });
    expect(data.stdout).toContain(`deleted ${objects.data3.key}\n`);
    expect([present(objects.day1), present(objects.day10), present(objects.data3)]).toEqual([true, true, false]);

    const nothing = await cli(['cleanup', '--days', '365'], { env: ENV, cwd: dir });
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toMatch(/^deleted 0 objects older than 365 days/);
  });

  it('takes --days from storage.retentionDays; without either it is a usage error', async () => {
    const { dir, objects } = await stored();
    const missing = await cli(['cleanup'], { env: ENV, cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing --days.*storage\.retentionDays/);
    const bad = await cli(['cleanup', '--days', '-3'], { env: ENV, cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--days must be a whole number/);

    await writeFile(join(dir, 'dify-logs.yaml'), 'storage:\n  retentionDays: 5\n');
    const configured = await cli(['cleanup', '--config', 'dify-logs.yaml'], { env: ENV, cwd: dir });
    expect(configured.code, configured.stderr).toBe(0);
    expect(configured.stdout).toMatch(/deleted 2 objects older than 5 days/);
    expect([present(objects.day1), present(objects.data3), present(objects.day10), present(objects.day40)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});
