import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, sim, tempDir } from './helpers.js';

describe('dify-logs run', () => {
  it(
    'runs the default job from the original environment ' + 'variables alone, then a second run finds nothing new',
    async () => {
      const simulator = await sim({
        runsPerApp: 40,
        runningRuns: 0,
        now: new Date(Date.now() - 60_000).toISOString(),
        days: 0.5,
      });
      const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
      const dir = await tempDir();
      const env = {
        DIFY_BASE_URL: simulator.url,
        DIFY_API_TOKEN: app.apiKey,
        DIFY_APP_ID: app.id,
        OUTPUT_BASE_DIR: 'outputs',
        NOTIFICATION_ENABLED: 'true',
        NOTIFICATION_TYPE: 'console',
        LOG_LEVEL: 'warn',
      };
      const first = await cli(['run'], { env, cwd: dir });
      expect(first.stderr + first.stdout).not.toContain(app.apiKey);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/default \(.*\): SUCCEEDED/);
      expect(first.stdout).toMatch(new RegExp(`app      ${app.id}: 40 records`));
      expect(first.stderr).toMatch(/\[(INFO|WARNING)\] default: 40 runs/);
      const reports = readdirSync(join(dir, 'outputs', 'reports'), { recursive: true })
        .map(String)
        .filter((name) => name.endsWith('.md'));
      expect(reports).toHaveLength(1);
      expect(readFileSync(join(dir, 'outputs', 'reports', reports[0]!), 'utf8')).toContain('Runs: **40**');

      const second = await cli(['run'], { env, cwd: dir });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(new RegExp(`app      ${app.id}: 0 records`));
    },
  );

  it('answers a bad configuration with exit code 2 naming the key', async () => {
    const dir = await tempDir();
    const result = await cli(['run'], {
      env: { DIFY_BASE_URL: 'not a url', DIFY_API_TOKEN: 'app-x', DIFY_APP_ID: 'a' },
      cwd: dir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/dify\.baseUrl/);
  });
});
