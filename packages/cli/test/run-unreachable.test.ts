import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, filesUnder, sim, tempDir } from './helpers.js';

// Issue 16 item 5: `dify-logs run` against a Dify that refuses every connection exited 3 (partial), stored
// a "0 runs" report and sent report-ready. Now: exit 1, the failure notification, no report, the state stays.
describe('dify-logs run when Dify cannot be reached', () => {
  it('fails with exit code 1, notifies the failure, stores no report and keeps the watermark', async () => {
    const simulator = await sim({
      runsPerApp: 20,
      runningRuns: 0,
      now: new Date(Date.now() - 60_000).toISOString(),
      days: 0.5,
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
        // Two retries keep the test short; the default is 6 (16 to 32 s of back-off per request).
        '  retries: 2',
        'storage: { baseDir: ./outputs }',
        'notification: { enabled: true, type: [console] }',
        'logging: { level: warn }',
        '',
      ].join('\n'),
    );
    const first = await cli(['run', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
    expect(first.code, first.stderr).toBe(0);
    const stateFile = join(dir, 'outputs', '.dify-logs-state.json');
    expect(existsSync(stateFile)).toBe(true);
    const stateBefore = readFileSync(stateFile, 'utf8');
    const filesBefore = filesUnder(join(dir, 'outputs')).sort();

    // The simulator's port is now closed: every connection is refused.
    await simulator.close();
    const started = Date.now();
    const failed = await cli(['run', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
    const seconds = (Date.now() - started) / 1000;
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stdout).toMatch(/\): FAILED/);
    expect(failed.stdout).toMatch(/problem  fetch: nothing was read: its app could not be read/);
    expect(failed.stdout).not.toMatch(/^ {2}report /m);
    expect(failed.stdout).toMatch(/^ {2}notify {3}console: delivered$/m);
    expect(failed.stderr).toMatch(/^\[ERROR\] default: the run failed\nnothing was read: its app could not be read/m);
    expect(failed.stderr).not.toMatch(/\d+ runs, \d+ failed/); // no report-ready message
    expect(filesUnder(join(dir, 'outputs')).sort()).toEqual(filesBefore);
    expect(readFileSync(stateFile, 'utf8')).toBe(stateBefore);
    expect(seconds).toBeLessThan(20);
  }, 60_000);
});
