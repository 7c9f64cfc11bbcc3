import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readArchive } from '@dify-logs/core/archive';
import type { RunRecord } from '@dify-logs/core';
import { createLocalStorage } from '@dify-logs/storage-local';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

describe('dify-logs demo', () => {
  it('runs the whole pipeline on the simulator and says where the reports and the archive are', async () => {
    const dir = await tempDir();
    const result = await cli(['demo', '--runs', '40', '--out-dir', 'demo'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/demo \(.*\): SUCCEEDED/);
    const reports = [...result.stdout.matchAll(/report {3}(\/\S+)$/gm)].map((match) => match[1]!);
    expect(reports.map((path) => path.split('.').slice(1).join('.'))).toEqual([
      'json',
      'md',
      'html',
      'csv',
      'nodes.csv',
    ]);
    for (const path of reports) expect(path.startsWith(dir)).toBe(true);
    const summary = JSON.parse(await readFile(reports[0]!, 'utf8')) as { runs: number; apps: unknown[] };
    expect(summary.runs).toBeGreaterThanOrEqual(3 * 40 - 5);
    expect(result.stdout).toMatch(
      new RegExp(`archive  ${summary.runs} records in \\d+ part\\(s\\), \\d+ partition\\(s\\)`),
    );
    const records = await collect(
      readArchive(createLocalStorage({ baseDir: join(dir, 'demo') }), {
        from: '2026-01-01',
        to: new Date().toISOString(),
      }),
    );
    expect(records).toHaveLength(summary.runs);
    expect(records.some((record) => (record.nodes ?? []).length > 0 && record.inputs !== null)).toBe(true);
    expect(result.stderr).toContain('Runs');
  });
});

async function collect(records: AsyncIterable<RunRecord>): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}
