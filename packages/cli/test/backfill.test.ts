import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, sim, tempDir } from './helpers.js';

describe('dify-logs backfill', () => {
  it('processes a past range one day at a time, then finds every day done', async () => {
    const simulator = await sim({
      runsPerApp: 60,
      runningRuns: 0,
      now: new Date(Date.now() - 60_000).toISOString(),
      days: 4,
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
    const today = new Date();
    const day = (offset: number) =>
      new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + offset)).toISOString();

    const first = await cli(['backfill', '--from', day(-3), '--to', day(0)], { env, cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.match(/: succeeded, \d+ records/g)).toHaveLength(3);
    const records = [...first.stdout.matchAll(/succeeded, (\d+) records/g)].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    );
    expect(records).toBeGreaterThan(10);
    expect(first.stdout).toMatch(/default backfill .*: SUCCEEDED/);
    const manifests = readdirSync(join(dir, 'outputs', 'data', 'archive'), { recursive: true })
      .map(String)
      .filter((name) => name.endsWith('.manifest.json') && !name.endsWith('.meta.json'));
    expect(manifests.length).toBeGreaterThanOrEqual(3);

    const again = await cli(['backfill', '--from', day(-3), '--to', day(0)], { env, cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout.match(/skipped \(done earlier\)/g)).toHaveLength(3);
  });

  it('refuses a range reaching into the future with exit code 2 naming the key', async () => {
    const dir = await tempDir();
    const env = { DIFY_BASE_URL: 'http://127.0.0.1:9', DIFY_API_TOKEN: 'app-x', DIFY_APP_ID: 'a' };
    const result = await cli(['backfill', '--from', '{{yesterday}}', '--to', '{{tomorrow}}'], { env, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/backfill\.to/);
  });
});
