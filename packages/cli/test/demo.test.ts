import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

describe('dify-logs demo', () => {
  it('exports every simulated workflow app with nodes and says where the files are', async () => {
    const dir = await tempDir();
    const result = await cli(['demo', '--runs', '40', '--out-dir', 'demo'], { cwd: dir });
    expect(result.code).toBe(0);
    const files = [...result.stdout.matchAll(/: (\/\S+\.ndjson)$/gm)].map((match) => match[1]!);
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      expect(file.startsWith(dir)).toBe(true);
      const records = (await readFile(file, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { nodes: unknown[] | null; inputs: unknown });
      expect(records.length).toBeGreaterThan(10);
      expect(records.some((record) => (record.nodes ?? []).length > 0 && record.inputs !== null)).toBe(true);
    }
  });
});
