import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

describe('dify-logs demo', () => {
  it('runs the whole pipeline on the simulator and says where the reports and the archive are', async () => {
    const dir = await tempDir();
    const result = await cli(['demo', '--runs', '40', '--out-dir', 'demo'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/demo \(.*\): SUCCEEDED/);
    const reports = [...result.stdout.matchAll(/report {3}(\/\S+)$/gm)].map((match) => match[1]!);
    expect(reports.map((path) => path.split('.').slice(1).join('.'))).toEqual(['json', 'md', 'html', 'csv', 'nodes.csv']);
    for (const path of reports) expect(path.startsWith(dir)).toBe(true);
    const summary = JSON.parse(await readFile(reports[0]!, 'utf8')) as { runs: number; apps: unknown[] };
    expect(summary.runs).toBeGreaterThanOrEqual(3 * 40 - 5);
    const archive = /archive {2}(\/\S+)$/m.exec(result.stdout)![1]!;
    const records = (await readFile(archive, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { nodes: unknown[] | null; inputs: unknown });
    expect(records).toHaveLength(summary.runs);
    expect(records.some((record) => (record.nodes ?? []).length > 0 && record.inputs !== null)).toBe(true);
    expect(result.stderr).toContain('Runs');
  });
});
